/** The study's KL-annealed VAEs (A, B, C: kl_factor 0.01, 0.001, 0.0001) on the dense autoencoders' layers. */
import type { SampgenConfig } from '../../config/types';
import { int } from '../../config/schema-nodes';
import { VaeTrainer } from '../../train/vae-trainer';
import { optimizerFor } from '../../train/optimizer';
import { DENSE_LENGTH } from '../dense';
import { buildVae } from '../vae';
import { registerFamily, SectionSpec } from '../family';
import { DENSE_KEYS, LATENT, LENGTH, withDefault } from './keys';
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

/** The KL schedule of a config's `vae:` section. */
export function klScheduleOf(config: SampgenConfig) {
  return { factor: config.vae.kl_factor, rampSteps: config.vae.kl_ramp_steps };
}

export const VAE = registerFamily({
  type: 'vae',
  description: 'a dense VAE with a linear KL ramp',
  // The VAEs use the medium tanh autoencoder's layers unless told otherwise (issue 4).
  modelKeys: {
    size: withDefault(DENSE_KEYS.size, 'medium'),
    activation: withDefault(DENSE_KEYS.activation, 'tanh'),
    latent: withDefault(LATENT, 2),
    length: withDefault(LENGTH, DENSE_LENGTH),
    encoder_units: withDefault(DENSE_KEYS.encoder_units, null),
    decoder_units: withDefault(DENSE_KEYS.decoder_units, null),
  },
  sections: [VAE_SECTION],
  buildTrainer(config: SampgenConfig, initSeed: number) {
    const parts = buildVae(denseOptions(config.model as unknown as DenseModelConfig, initSeed));
    return new VaeTrainer(parts.encoder, parts.meanEncoder, parts.decoder, optimizerFor(config.train), config.train.loss, klScheduleOf(config));
  },
});
