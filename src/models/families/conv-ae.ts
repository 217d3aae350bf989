/** The WaveGAN-shaped convolutional autoencoder: the critic's stack as encoder, the generator's as decoder. */
import type { SampgenConfig } from '../../config/types';
import { AutoencoderTrainer } from '../../train/autoencoder-trainer';
import { optimizerFor } from '../../train/optimizer';
import { buildConvAutoencoder, LENGTH_UNIT, Upsample } from '../conv';
import { registerFamily } from '../family';
import { WAVEGAN_LENGTH } from '../wavegan';
import { CONV_KEYS, LATENT, LENGTH, withDefault } from './keys';

/** The model section of the conv families. */
export interface ConvModelConfig {
  type: string;
  latent: number;
  length: number;
  d: number;
  upsample: Upsample;
}

/** The conv stacks have five stride-4 layers, so their length must be a multiple of 4^5. */
export function checkConvLength(model: Readonly<Record<string, unknown>>, type: string): { key: string; message: string }[] {
  const length = model.length as number;
  if (length % LENGTH_UNIT === 0) return [];
  return [
    {
      key: 'length',
      message:
        `model.length must be a multiple of 4^5 = ${LENGTH_UNIT} for model.type ${type} (five stride-4 layers; WaveGAN uses ` +
        `${WAVEGAN_LENGTH}), got ${String(length)}`,
    },
  ];
}

export const CONV_AE = registerFamily({
  type: 'conv-ae',
  description: 'a WaveGAN-shaped convolutional autoencoder',
  modelKeys: {
    latent: withDefault(LATENT, 2),
    length: withDefault(LENGTH, WAVEGAN_LENGTH),
    d: withDefault(CONV_KEYS.d, 64),
    upsample: withDefault(CONV_KEYS.upsample, 'transpose'),
  },
  check: (model) => checkConvLength(model, 'conv-ae'),
  buildTrainer(config: SampgenConfig, initSeed: number) {
    const model = config.model as unknown as ConvModelConfig;
    const parts = buildConvAutoencoder({ latent: model.latent, length: model.length, d: model.d, upsample: model.upsample, seed: initSeed });
    return new AutoencoderTrainer(parts.encoder, parts.decoder, optimizerFor(config.train), config.train.loss);
  },
});
