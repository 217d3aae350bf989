import { SampgenConfig } from '../config';
import { buildDenseAutoencoder } from '../models/dense';
import { buildVae } from '../models/vae';
import { UserError } from '../errors';
import { AutoencoderTrainer } from './autoencoder-trainer';
import { ModelTrainer } from './model-trainer';
import { makeOptimizer } from './optimizer';
import { VaeTrainer } from './vae-trainer';

/** Builds the models and the trainer a config describes, with initial weights drawn from `initSeed`. */
export function buildTrainer(config: SampgenConfig, initSeed: number): ModelTrainer {
  const { model, train } = config;
  switch (model.type) {
    case 'dense-ae': {
      const parts = buildDenseAutoencoder({
        size: model.size,
        activation: model.activation,
        latent: model.latent,
        length: model.length,
        seed: initSeed,
        encoderUnits: model.encoder_units ?? undefined,
        decoderUnits: model.decoder_units ?? undefined,
      });
      return new AutoencoderTrainer(parts.encoder, parts.decoder, makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2), train.loss);
    }
    case 'vae': {
      const parts = buildVae({
        size: model.size,
        activation: model.activation,
        latent: model.latent,
        length: model.length,
        seed: initSeed,
        encoderUnits: model.encoder_units ?? undefined,
        decoderUnits: model.decoder_units ?? undefined,
      });
      return new VaeTrainer(
        parts.encoder,
        parts.meanEncoder,
        parts.decoder,
        makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2),
        train.loss,
        { factor: config.vae.kl_factor, rampSteps: config.vae.kl_ramp_steps },
      );
    }
    default:
      throw new UserError(`model.type '${model.type}' cannot be trained by this version of sampgen`);
  }
}
