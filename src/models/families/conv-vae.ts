/**
 * A convolutional VAE: the conv autoencoder's shape with a Gaussian latent and the VAEs' KL ramp. The study's conv
 * AE collapses on real snares to one near-silent output; a KL-regularised latent and a spectral loss give the
 * decoder a reason to use its input (configs/conv-vae.yaml).
 */
import type { SampgenConfig } from '../../config/types';
import { VaeTrainer } from '../../train/vae-trainer';
import { optimizerFor } from '../../train/optimizer';
import { buildConvVae } from '../conv-vae';
import { registerFamily } from '../family';
import { WAVEGAN_LENGTH } from '../wavegan';
import { ConvModelConfig, checkConvLength } from './conv-ae';
import { CONDITION, CONV_KEYS, LATENT, LENGTH, withDefault } from './keys';
import { conditionLayoutFor, klScheduleOf, VAE_SECTION } from './vae';
import { conditionWidth } from '../condition';
import type { TrainerOptions } from '../family';

export const CONV_VAE = registerFamily({
  type: 'conv-vae',
  description: 'a WaveGAN-shaped convolutional VAE with a linear KL ramp (conditional with model.condition)',
  modelKeys: {
    latent: withDefault(LATENT, 8),
    length: withDefault(LENGTH, WAVEGAN_LENGTH),
    // d 16: CPU-sized, as configs/conv-ae.yaml (WaveGAN's 64 has about 16x the multiply-adds).
    d: withDefault(CONV_KEYS.d, 16),
    upsample: withDefault(CONV_KEYS.upsample, 'transpose'),
    condition: CONDITION,
  },
  sections: [VAE_SECTION],
  check: (model) => checkConvLength(model, 'conv-vae'),
  buildTrainer(config: SampgenConfig, initSeed: number, options: TrainerOptions) {
    const model = config.model as unknown as ConvModelConfig;
    const condition = conditionLayoutFor(config, options);
    const parts = buildConvVae({
      latent: model.latent,
      length: model.length,
      d: model.d,
      upsample: model.upsample,
      seed: initSeed,
      conditionWidth: condition ? conditionWidth(condition) : 0,
    });
    return new VaeTrainer(parts.encoder, parts.meanEncoder, parts.decoder, optimizerFor(config.train), config.train.loss, klScheduleOf(config), condition);
  },
});
