/**
 * Defaults for every key a config may leave out, and which model keys apply to which model type.
 * The numbers are the study's (700 epochs, latent 2, 17640-sample examples) and WaveGAN's (16384 samples,
 * latent 100, d = 64, phase shuffle 2, λ = 10, 5 critic steps).
 */
import type { AugmentConfig, DataConfig, GanConfig, ModelType, OutputConfig, TrainConfig, VaeConfig } from './types';

/** Samples per example of the study's dense models (0.4 s at 44.1 kHz). */
export const DENSE_LENGTH = 17640;
/** The conv stacks have five stride-4 layers, so their length must be a multiple of 4^5. */
export const CONV_LENGTH_MULTIPLE = 4 ** 5;
/** WaveGAN's window: 16 · 4^5 samples. */
export const WAVEGAN_LENGTH = 16 * CONV_LENGTH_MULTIPLE;

export const DATA_DEFAULTS: Readonly<DataConfig> = { path: 'datasets/snares', validation: 0.1, shuffle: true };

export const TRAIN_DEFAULTS: Readonly<TrainConfig> = {
  epochs: 700,
  batch_size: 32,
  optimizer: 'adam',
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  loss: 'mse',
  seed: 1,
  backend: 'auto',
  checkpoint_every: 10,
  log_every: 10,
  max_steps: null,
  lr_schedule: 'constant',
  lr_warmup_epochs: 0,
  lr_step_every: 100,
  lr_step_gamma: 0.5,
  lr_min: 0,
  // best: a run that overfits (the study's dense AEs on a small kit: val loss 0.0067 at its best, 0.0098 at the end)
  // must not ship its last, worse weights by default; models without a validation loss (the GAN) export the last.
  export: 'best',
  early_stop: null,
  // Off: the study trained on its snares as they are, and every existing run keeps its hash and its losses.
  augment: null,
  init_from: null,
};

/** early_stop's keys when a config gives only some of them. */
export const EARLY_STOP_DEFAULTS = { min_delta: 0 } as const;

/** augment's keys when a config gives only some of them: every part off. */
export const AUGMENT_DEFAULTS: Readonly<AugmentConfig> = { gain_db: null, polarity: false, shift_ms: 0, pitch_semitones: 0, mix: 0 };

// micro_batch 16: WGAN-GP's penalty differentiates the critic twice, and at d 16 one example holds about 80 MB of
// intermediates on the wasm backend, whose heap cannot pass 4 GB; WaveGAN's batch of 64 in one pass does not fit.
export const GAN_DEFAULTS: Readonly<GanConfig> = { lambda_gp: 10, critic_steps: 5, preview_every: 500, preview_count: 4, micro_batch: 16 };

export const VAE_DEFAULTS: Readonly<VaeConfig> = { kl_factor: 0.001, kl_ramp_steps: 30000 };

export const OUTPUT_DEFAULTS: Readonly<OutputConfig> = { runs: 'runs/', models: 'models/', tensorboard: true, audio_every: 10 };

/** The model keys each type accepts, in the order the resolved config lists them. */
export const MODEL_KEYS: Readonly<Record<ModelType, readonly string[]>> = {
  'dense-ae': ['type', 'size', 'activation', 'latent', 'length', 'encoder_units', 'decoder_units'],
  vae: ['type', 'size', 'activation', 'latent', 'length', 'encoder_units', 'decoder_units'],
  'conv-ae': ['type', 'latent', 'length', 'd', 'upsample'],
  gan: ['type', 'latent', 'length', 'd', 'upsample', 'phase_shuffle'],
};

/**
 * Model keys that must be given for a type (no default makes sense): the nine dense autoencoders are named
 * by size and activation, so a dense-ae config that forgets one is a mistake, not a wish for a default.
 */
export const MODEL_REQUIRED: Readonly<Record<ModelType, readonly string[]>> = {
  'dense-ae': ['size', 'activation'],
  vae: [],
  'conv-ae': [],
  gan: [],
};

/** Defaults of the model keys of one type (those not required). */
export function modelDefaults(type: ModelType): Record<string, unknown> {
  switch (type) {
    case 'dense-ae':
      return { latent: 2, length: DENSE_LENGTH, encoder_units: null, decoder_units: null };
    case 'vae':
      // The VAEs use the medium tanh autoencoder's layers unless told otherwise (issue 4).
      return { size: 'medium', activation: 'tanh', latent: 2, length: DENSE_LENGTH, encoder_units: null, decoder_units: null };
    case 'conv-ae':
      return { latent: 2, length: WAVEGAN_LENGTH, d: 64, upsample: 'transpose' };
    case 'gan':
      return { latent: 100, length: WAVEGAN_LENGTH, d: 64, upsample: 'transpose', phase_shuffle: 2 };
  }
}
