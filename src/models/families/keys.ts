/**
 * Model keys that several families read, declared once so that they accept the same values everywhere (the
 * registry refuses a shared key with another schema) and mean the same thing in the config reference.
 */
import { int, nullable, oneOf, SchemaNode } from '../../config/schema-nodes';
import type { KeySpec } from '../family';
import { UPSAMPLES } from '../conv';
import { ACTIVATIONS, DENSE_SIZES } from '../dense';
import { activeCondition, ConditionConfig } from '../condition';

/** A key's schema and meaning with this family's default (or `required`). */
export function withDefault(key: Omit<KeySpec, 'default' | 'required'>, value: unknown): KeySpec {
  return { ...key, default: value };
}
export function required(key: Omit<KeySpec, 'default' | 'required'>): KeySpec {
  return { ...key, required: true };
}

export const LATENT = { schema: int(1), meaning: 'Latent vector size (2 in the study, so that a producer can move through a plane).' };
export const LENGTH = { schema: int(1), meaning: "Samples per example: the decoder's output width, and the length of the dataset's rows." };

const unitList = (which: string): SchemaNode =>
  nullable(
    { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 1, description: `a non-empty list of integers >= 1 (hidden ${which} layer widths)` },
    'use the model.size table',
  );

/** The dense layer keys of the study's autoencoders and VAEs. */
export const DENSE_KEYS = {
  size: { schema: oneOf(DENSE_SIZES), meaning: "The study's layer-width table for the dense encoder and decoder." },
  activation: { schema: oneOf(ACTIVATIONS), meaning: "The hidden layers' activation (the study's three)." },
  encoder_units: { schema: unitList('encoder'), meaning: 'Hidden encoder layer widths, overriding model.size (the latent layer comes from model.latent).' },
  decoder_units: { schema: unitList('decoder'), meaning: 'Hidden decoder layer widths, overriding model.size (the output layer comes from model.length).' },
};

/** The conv stack keys of the conv autoencoder, WaveGAN and the conv VAE. */
export const CONV_KEYS = {
  d: { schema: int(1), meaning: 'WaveGAN model size: the conv stacks have d, 2d, 4d, 8d, 16d channels.' },
  upsample: { schema: oneOf(UPSAMPLES), meaning: 'How the decoder or generator upsamples: transposed convolutions, or nearest-neighbour + conv.' },
};

/** model.condition of the VAE families (src/models/condition.ts); null or every part false: unconditional. */
export const CONDITION: KeySpec = {
  schema: nullable(
    {
      type: 'object',
      properties: {
        class: { type: 'boolean', description: 'true or false' },
        velocity: { type: 'boolean', description: 'true or false' },
      },
      additionalProperties: false,
      description: 'a mapping with keys class and/or velocity (true or false)',
    },
    'unconditional',
  ),
  default: null,
  meaning:
    "What the encoder and decoder are conditioned on: `class` (the row's drum class, one-hot) and/or `velocity` (its attack level " +
    "as 0…1 across the training set's range); the exported decoder then takes two inputs, latent and condition.",
  isOff: (value) => activeCondition(value as ConditionConfig | null) === null,
  subkeys: {
    class: { meaning: "Condition on the row's drum class (dataset.json's `class`; the dataset needs at least two).", default: false },
    velocity: { meaning: "Condition on the row's attack level (dataset.json's `attack_rms_dbfs`), 0…1 across the training set's range.", default: false },
  },
};
