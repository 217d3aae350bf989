/**
 * The resolved configuration: every key filled in, so that code downstream never looks up a default itself.
 * Key names are the YAML names (snake_case) on purpose: scripts, sweeps (`--set train.batch_size=64`) and the
 * saved `config.yaml` all use the same spelling as the code.
 *
 * `model` carries only the keys its family declares (a GAN has no `size`, a dense autoencoder no `d`).
 */

/** model.type: the name of a registered model family (src/models/families). */
export type ModelType = string;
export const OPTIMIZERS = ['adam', 'sgd', 'rmsprop'] as const;
export type Optimizer = (typeof OPTIMIZERS)[number];
// The loss names are the keys of the loss table (src/train/losses.ts); `train.loss` is one name or a weighted sum.
import { LOSS_NAMES, LossSpec } from '../train/losses/spec';
export const LOSSES = LOSS_NAMES;
export type Loss = LossSpec;
import type { BackendRequest } from '../backend/names';
export { BACKEND_REQUESTS as BACKENDS } from '../backend/names';
export type BackendName = BackendRequest;
export const LR_SCHEDULES = ['constant', 'step', 'cosine'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];
/** Which weights a finished run exports: those of its best validation epoch, or its last epoch's. */
export const EXPORT_CHOICES = ['best', 'last'] as const;
export type ExportChoice = (typeof EXPORT_CHOICES)[number];

/**
 * The model section: `type` names the family (src/models/families), which declares the other keys, their defaults
 * and what they mean; a family reads its own keys with its own type (e.g. DenseModelConfig).
 */
export interface ModelConfig {
  type: ModelType;
  /** Latent vector size (every family has one). */
  latent: number;
  /** Samples per example (input length of encoders/critics, output length of decoders/generators). */
  length: number;
  [key: string]: unknown;
}

export interface DataConfig {
  /** Dataset folder made by `sampgen preprocess`, relative to the working directory. */
  path: string;
  /** Fraction of examples held out for validation, in [0, 0.9]. */
  validation: number;
  /** Shuffle the training examples every epoch (with the run's seeded generator). */
  shuffle: boolean;
}

export interface TrainConfig {
  epochs: number;
  batch_size: number;
  optimizer: Optimizer;
  lr: number;
  /** Adam's moment decay rates; present for every optimizer, used (and hashed) only by adam. */
  beta1: number;
  beta2: number;
  loss: Loss;
  seed: number;
  backend: BackendName;
  /** Save a checkpoint every this many epochs (and at the end, and on SIGINT/SIGTERM). */
  checkpoint_every: number;
  /** Batches between progress/log updates. */
  log_every: number;
  /** Stop after this many optimizer steps (smoke runs); null: run all epochs. */
  max_steps: number | null;
  /** How the learning rate changes over the run (see train/schedules.ts); constant: `lr` throughout. */
  lr_schedule: LrSchedule;
  /** Epochs of linear warm-up from 0 to the schedule's rate (fractions of an epoch count per step); 0: none. */
  lr_warmup_epochs: number;
  /** step schedule: multiply the rate by `lr_step_gamma` every `lr_step_every` epochs. */
  lr_step_every: number;
  lr_step_gamma: number;
  /** cosine schedule: the rate at the last epoch. */
  lr_min: number;
  /** Which weights the run exports (see EXPORT_CHOICES); models without a validation loss export the last. */
  export: ExportChoice;
  /** Stop when the validation loss has not improved by more than `min_delta` for `patience` epochs; null: never. */
  early_stop: EarlyStopConfig | null;
  /** On-the-fly augmentation of training batches (see train/augment.ts); null: none (the study had none). */
  augment: AugmentConfig | null;
  /** A model folder or run folder whose weights a fresh run starts from (fine-tuning; see train/init-from.ts); null: fresh weights. */
  init_from: string | null;
}

/** What train.augment does to each training example; every part is off at its default (see train/augment.ts). */
export interface AugmentConfig {
  /** Gain in dB drawn uniformly from [low, high] per example; null: none. */
  gain_db: [number, number] | null;
  /** Flip the sign of each example with probability 1/2. */
  polarity: boolean;
  /** Shift each example by a whole number of samples drawn uniformly from ±this many milliseconds (zero fill); 0: none. */
  shift_ms: number;
  /** Pitch shift by resampling, drawn from ±this many semitones, keeping the attack in place; 0: none. */
  pitch_semitones: number;
  /** Blend each example with another of its batch, x·(1−λ) + y·λ, λ uniform in [0, mix]; 0: none. */
  mix: number;
}

export interface EarlyStopConfig {
  patience: number;
  min_delta: number;
}

export interface GanConfig {
  /** Gradient-penalty weight λ of WGAN-GP. */
  lambda_gp: number;
  /** Critic updates per generator update. */
  critic_steps: number;
  /** Generator steps between preview WAVs. */
  preview_every: number;
  /** Preview WAVs per preview (from fixed latent vectors); 0: none. */
  preview_count: number;
  /**
   * Examples per gradient pass: a batch is processed in parts of this size whose gradients are summed before the
   * one update, so memory is bounded by the part, not the batch (the same update up to float rounding).
   */
  micro_batch: number;
}

export interface VaeConfig {
  /** β after the ramp: loss = reconstruction + β(step)·KL. */
  kl_factor: number;
  /** β(step) = kl_factor · min(1, step / kl_ramp_steps); 0: β = kl_factor from the first step. */
  kl_ramp_steps: number;
}

export interface OutputConfig {
  /** Parent folder of run folders (`<runs>/<name>-<hash>/`). */
  runs: string;
  /** Parent folder of exported models (`<models>/<name>-<hash>/`, with `<models>/<name>` a link to the latest). */
  models: string;
  /** Write TensorBoard event files into `<run>/tb/` (scalars every epoch, the config, audio previews). */
  tensorboard: boolean;
  /** Epochs between TensorBoard audio previews (reconstructions or generations); 0: none. */
  audio_every: number;
}

/** A fully resolved config: all defaults filled. */
export interface SampgenConfig {
  name: string;
  model: ModelConfig;
  data: DataConfig;
  train: TrainConfig;
  gan: GanConfig;
  vae: VaeConfig;
  output: OutputConfig;
}

export interface LoadedConfig {
  config: SampgenConfig;
  /** First 8 hex digits of fullHash: the short hash used in run folder names. */
  hash: string;
  /** sha256 (64 hex digits) of the canonical JSON of the result-relevant part of the config (see hash.ts). */
  fullHash: string;
  /** The hash earlier sampgen versions gave this config (see legacyHashedView), so their runs are still found; null when none. */
  legacyFullHash: string | null;
  /** The file loaded (as given), or the label of an in-memory config. */
  file: string;
  /** The files merged, base first: the `extends` chain ending with `file` (in-memory: only the files it extends). */
  sources: string[];
  /** The `--set` expressions applied, in order. */
  sets: string[];
}
