/** The study's KL-annealed VAEs (A, B, C: kl_factor 0.01, 0.001, 0.0001) on the dense autoencoders' layers. */
import type { SampgenConfig } from '../../config/types';
import { int } from '../../config/schema-nodes';
import { VaeTrainer } from '../../train/vae-trainer';
import { optimizerFor } from '../../train/optimizer';
import { DENSE_LENGTH } from '../dense';
import { buildVae } from '../vae';
import { registerFamily, SectionSpec } from '../family';
import { CONDITION, DENSE_KEYS, LATENT, LENGTH, withDefault } from './keys';
import { activeCondition, ConditionConfig, ConditionLayout, conditionLayoutOf, conditionWidth } from '../condition';
import type { TrainerOptions } from '../family';
import { UserError } from '../../errors';
import { DenseModelConfig, denseOptions } from './dense-ae';

/** `vae:` — the KL term of every VAE family. */
export const VAE_SECTION: SectionSpec = {
  name: 'vae',
  meaning: "The VAE's KL term (VAE families only).",
  keys: {
    kl_factor: { schema: { type: 'number', minimum: 0, description: 'a number >= 0' }, default: 0.001, meaning: 'β after the ramp: loss = reconstruction + β·KL.' },
    kl_ramp_steps: { schema: int(0), default: 30000, meaning: 'Steps of the linear ramp of β from 0 to kl_factor; 0: kl_factor from the first step.' },
  },
  hashed: ['kl_factor', 'kl_ramp_steps'],
};

/**
 * The condition layout of a conditional VAE from its training dataset, or undefined for an unconditional one.
 * Conditional models need the dataset (its classes and levels make the layout).
 */
export function conditionLayoutFor(config: SampgenConfig, options: TrainerOptions): ConditionLayout | undefined {
  const condition = activeCondition((config.model as { condition?: ConditionConfig | null }).condition);
  if (!condition) return undefined;
  if (!options.dataset) throw new UserError(`model.condition needs the training dataset's classes and levels, and none was given (${config.model.type})`);
  return conditionLayoutOf(condition, options.dataset.info, options.dataset.dir);
}

/** The KL schedule of a config's `vae:` section. */
export function klScheduleOf(config: SampgenConfig) {
  return { factor: config.vae.kl_factor, rampSteps: config.vae.kl_ramp_steps };
}

export const VAE = registerFamily({
  type: 'vae',
  description: 'a dense VAE with a linear KL ramp (conditional on drum class and velocity with model.condition)',
  // The VAEs use the medium tanh autoencoder's layers unless told otherwise (issue 4).
  modelKeys: {
    size: withDefault(DENSE_KEYS.size, 'medium'),
    activation: withDefault(DENSE_KEYS.activation, 'tanh'),
    latent: withDefault(LATENT, 2),
    length: withDefault(LENGTH, DENSE_LENGTH),
    encoder_units: withDefault(DENSE_KEYS.encoder_units, null),
    decoder_units: withDefault(DENSE_KEYS.decoder_units, null),
    condition: CONDITION,
  },
  sections: [VAE_SECTION],
  buildTrainer(config: SampgenConfig, initSeed: number, options: TrainerOptions) {
    const condition = conditionLayoutFor(config, options);
    const parts = buildVae({ ...denseOptions(config.model as unknown as DenseModelConfig, initSeed), conditionWidth: condition ? conditionWidth(condition) : 0 });
    return new VaeTrainer(parts.encoder, parts.meanEncoder, parts.decoder, optimizerFor(config.train), config.train.loss, klScheduleOf(config), condition);
  },
});
