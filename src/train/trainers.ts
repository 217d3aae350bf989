import { SampgenConfig } from '../config';
import { buildDenseAutoencoder } from '../models/dense';
import { buildVae } from '../models/vae';
import { buildConvAutoencoder } from '../models/conv';
import { buildWaveGan } from '../models/wavegan';
import { UserError } from '../errors';
import { AutoencoderTrainer } from './autoencoder-trainer';
import { ModelTrainer } from './model-trainer';
import { makeOptimizer } from './optimizer';
import { VaeTrainer } from './vae-trainer';
import { GanTrainer } from './gan-trainer';
import { deriveSeed, SeedStream } from './seeds';

/** What a trainer may need beyond the config: facts of the dataset. */
export interface TrainerOptions {
  /** The dataset's sample rate (GAN previews are WAV files). */
  sampleRate?: number;
}

/** The dense layout options of a dense-ae or vae model config. */
function denseOptions(model: Extract<SampgenConfig['model'], { type: 'dense-ae' | 'vae' }>, seed: number) {
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

/** Builds the models and the trainer a config describes, with initial weights drawn from `initSeed`. */
export function buildTrainer(config: SampgenConfig, initSeed: number, options: TrainerOptions = {}): ModelTrainer {
  const { model, train } = config;
  switch (model.type) {
    case 'dense-ae': {
      const parts = buildDenseAutoencoder(denseOptions(model, initSeed));
      return new AutoencoderTrainer(parts.encoder, parts.decoder, makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2), train.loss);
    }
    case 'vae': {
      const parts = buildVae(denseOptions(model, initSeed));
      return new VaeTrainer(
        parts.encoder,
        parts.meanEncoder,
        parts.decoder,
        makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2),
        train.loss,
        { factor: config.vae.kl_factor, rampSteps: config.vae.kl_ramp_steps },
      );
    }
    case 'conv-ae': {
      const parts = buildConvAutoencoder({ latent: model.latent, length: model.length, d: model.d, upsample: model.upsample, seed: initSeed });
      return new AutoencoderTrainer(parts.encoder, parts.decoder, makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2), train.loss);
    }
    case 'gan': {
      const parts = buildWaveGan({ latent: model.latent, length: model.length, d: model.d, upsample: model.upsample, seed: initSeed });
      // One optimizer per network (WaveGAN: Adam, lr 1e-4, β1 0.5, β2 0.9, set in configs/gan.yaml).
      return new GanTrainer({
        ...parts,
        generatorOptimizer: makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2),
        criticOptimizer: makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2),
        latent: model.latent,
        phaseShuffle: model.phase_shuffle,
        lambdaGp: config.gan.lambda_gp,
        criticSteps: config.gan.critic_steps,
        previewEvery: config.gan.preview_every,
        previewCount: config.gan.preview_count,
        microBatch: config.gan.micro_batch,
        previewSeed: deriveSeed(train.seed, SeedStream.preview, 0),
        sampleRate: options.sampleRate,
      });
    }
    default:
      // Every type is handled above; this guards configs built in code with a type the schema would reject.
      throw new UserError(`model.type '${(model as { type: string }).type}' cannot be trained by this version of sampgen`);
  }
}
