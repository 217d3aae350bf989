/** The study's nine dense autoencoders: small/medium/big × relu/tanh/sigmoid, 2-D latent space. */
import type { SampgenConfig } from '../../config/types';
import { AutoencoderTrainer } from '../../train/autoencoder-trainer';
import { optimizerFor } from '../../train/optimizer';
import { Activation, buildDenseAutoencoder, DENSE_LENGTH, DenseSize } from '../dense';
import { registerFamily } from '../family';
import { DENSE_KEYS, LATENT, LENGTH, required, withDefault } from './keys';

/** The model section of a dense-ae or vae config. */
export interface DenseModelConfig {
  type: string;
  size: DenseSize;
  activation: Activation;
  latent: number;
  length: number;
  encoder_units: number[] | null;
  decoder_units: number[] | null;
}

/** The dense layout options of a dense-ae or vae model config. */
export function denseOptions(model: DenseModelConfig, seed: number) {
  return {
    size: model.size,
    activation: model.activation,
    latent: model.latent,
    length: model.length,
    seed,
    encoderUnits: model.encoder_units ?? undefined,
    decoderUnits: model.decoder_units ?? undefined,
  };
}

export const DENSE_AE = registerFamily({
  type: 'dense-ae',
  description: "the study's dense autoencoder (size × activation)",
  // size and activation name the nine models: a config that forgets one is a mistake, not a wish for a default.
  modelKeys: {
    size: required(DENSE_KEYS.size),
    activation: required(DENSE_KEYS.activation),
    latent: withDefault(LATENT, 2),
    length: withDefault(LENGTH, DENSE_LENGTH),
    encoder_units: withDefault(DENSE_KEYS.encoder_units, null),
    decoder_units: withDefault(DENSE_KEYS.decoder_units, null),
  },
  buildTrainer(config: SampgenConfig, initSeed: number) {
    const parts = buildDenseAutoencoder(denseOptions(config.model as unknown as DenseModelConfig, initSeed));
    return new AutoencoderTrainer(parts.encoder, parts.decoder, optimizerFor(config.train), config.train.loss);
  },
});
