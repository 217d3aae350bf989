/** WaveGAN trained as WGAN-GP: a generator of the conv decoder's shape and a critic with phase shuffle. */
import type { SampgenConfig } from '../../config/types';
import { int } from '../../config/schema-nodes';
import { GanTrainer } from '../../train/gan-trainer';
import { optimizerFor } from '../../train/optimizer';
import { deriveSeed, SeedStream } from '../../train/seeds';
import { registerFamily, SectionSpec, TrainerOptions } from '../family';
import { buildWaveGan, WAVEGAN_LENGTH } from '../wavegan';
import { ConvModelConfig, checkConvLength } from './conv-ae';
import { CONV_KEYS, LATENT, LENGTH, withDefault } from './keys';

/** `gan:` — WGAN-GP's settings; only λ and the critic steps change what is trained (the rest: how often, how). */
export const GAN_SECTION: SectionSpec = {
  name: 'gan',
  meaning: 'WaveGAN training (model.type gan only).',
  keys: {
    lambda_gp: { schema: { type: 'number', minimum: 0, description: 'a number >= 0' }, default: 10, meaning: "Weight λ of WGAN-GP's gradient penalty." },
    critic_steps: { schema: int(1), default: 5, meaning: 'Critic updates per generator update.' },
    preview_every: { schema: int(1), default: 500, meaning: 'Generator steps between preview WAVs in the run folder.' },
    preview_count: { schema: int(0), default: 4, meaning: 'Preview WAVs per preview, from fixed latent vectors; 0: none.' },
    // 32: WGAN-GP's penalty differentiates the critic twice; at d 16 a pass of 32 examples peaks near 0.5 GB of
    // wasm heap (which cannot pass 4 GB), 64 near 0.8 GB, and 32 ran fastest on a 2-core CPU (bench:train).
    micro_batch: {
      schema: int(1),
      default: 32,
      meaning: 'Examples per gradient pass: a batch is processed in parts whose gradients are summed (bounds memory; the same update).',
    },
  },
  hashed: ['lambda_gp', 'critic_steps'],
};

export const GAN = registerFamily({
  type: 'gan',
  description: 'WaveGAN (WGAN-GP) with phase shuffle',
  modelKeys: {
    latent: withDefault(LATENT, 100),
    length: withDefault(LENGTH, WAVEGAN_LENGTH),
    d: withDefault(CONV_KEYS.d, 64),
    upsample: withDefault(CONV_KEYS.upsample, 'transpose'),
    phase_shuffle: withDefault({ schema: int(0), meaning: "WaveGAN critic's phase shuffle: a random shift in [-n, n] samples; 0 turns it off." }, 2),
  },
  sections: [GAN_SECTION],
  // WGAN-GP has its own loss.
  unusedTrainKeys: ['loss'],
  check: (model) => checkConvLength(model, 'gan'),
  buildTrainer(config: SampgenConfig, initSeed: number, options: TrainerOptions) {
    const model = config.model as unknown as ConvModelConfig & { phase_shuffle: number };
    const parts = buildWaveGan({ latent: model.latent, length: model.length, d: model.d, upsample: model.upsample, seed: initSeed });
    // One optimizer per network (WaveGAN: Adam, lr 1e-4, β1 0.5, β2 0.9, set in configs/gan.yaml).
    return new GanTrainer({
      ...parts,
      generatorOptimizer: optimizerFor(config.train),
      criticOptimizer: optimizerFor(config.train),
      latent: model.latent,
      phaseShuffle: model.phase_shuffle,
      lambdaGp: config.gan.lambda_gp,
      criticSteps: config.gan.critic_steps,
      previewEvery: config.gan.preview_every,
      previewCount: config.gan.preview_count,
      microBatch: config.gan.micro_batch,
      previewSeed: deriveSeed(config.train.seed, SeedStream.preview, 0),
      sampleRate: options.sampleRate,
    });
  },
});
