/**
 * The config hash names a run folder (`<name>-<hash>`), so it must change exactly when the result of training
 * could change, and not otherwise: the same experiment run twice (or resumed, or re-planned by a sweep) lands
 * in the same folder, and two different experiments never do.
 *
 * Hashed: sha256 of the canonical JSON (keys sorted at every level, no spaces) of the resolved config, minus
 *   - `name` (already in the folder name; two names for one experiment still share a hash, which shows it),
 *   - `output.*` (where results are written, not what they are),
 *   - `train.log_every`, `train.checkpoint_every`, `gan.preview_every`, `gan.preview_count` (how often
 *     things are written; a resumed run continues exactly, so checkpoints do not change the numbers),
 *   - `gan.micro_batch` (how a batch's gradient is computed: the same update up to float rounding),
 *   - when training stops and what it exports: `train.epochs`, `train.max_steps`, `train.early_stop`,
 *     `train.export`. Epoch 10 of a 10-epoch run and of a 900-epoch run are the same weights, so a finished run
 *     can be extended (`train --resume --set train.epochs=900`) in its own folder. The exception is a schedule
 *     that spans the whole run (cosine): there the total changes every step's rate, so `train.epochs` is hashed,
 *   - learning-rate schedule keys that the chosen schedule does not read (all of them for a constant rate
 *     without warm-up),
 *   - keys the chosen model does not use: sections its family does not read (`gan.*` for a VAE), the keys of its
 *     sections that do not change the weights (SectionSpec.hashed), train keys the family declares unused
 *     (`train.loss` for the GAN: WGAN-GP has its own loss), `train.beta1/beta2` unless the optimizer is adam.
 *     (Model keys of other families are not in the resolved config at all.)
 *   - model keys added later while they are off (`model.condition` null: KeySpec.isOff), and
 *   - `train.augment` and `train.init_from` while they are off (null, or an augment mapping with every part off),
 *     so that every run made before they existed keeps its hash; when on, the augment parts that are on and the
 *     init_from path as given are hashed (the source's weights are not: each run logs their sha256 instead).
 * Everything else is hashed, including `data.path` (another dataset is another experiment) and
 * `train.backend` (backends differ in the last bits of floating point, so results may differ slightly).
 * What the dataset folder holds is not hashed (it is not known when a sweep is planned); each run records its
 * dataset's fingerprint instead, and refuses to continue on other data (see train/run.ts).
 */
import { createHash } from 'crypto';
import { familyOf } from '../models/family';
import type { AugmentConfig, SampgenConfig } from './types';

/** JSON with object keys sorted at every level, so that key order in the YAML never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot hash non-finite number ${value}`);
  return JSON.stringify(value);
}

/** Train keys that say how often things are written, when training stops or what it exports (see the file comment). */
const UNHASHED_TRAIN_KEYS = ['log_every', 'checkpoint_every', 'epochs', 'max_steps', 'early_stop', 'export'] as const;
/** Each schedule's keys; warm-up applies to every schedule and is hashed when it is on. */
const SCHEDULE_KEYS = { constant: [], step: ['lr_step_every', 'lr_step_gamma'], cosine: ['lr_min'] } as const;
const ALL_SCHEDULE_KEYS = ['lr_schedule', 'lr_warmup_epochs', 'lr_step_every', 'lr_step_gamma', 'lr_min'] as const;
/** Train keys added after runs existed: hashed only when on (see the file comment). */
const OFF_UNHASHED_TRAIN_KEYS = ['augment', 'init_from'] as const;

/**
 * The parts of train.augment that change the training data, with their settings; null when none does (then the run
 * trains exactly as without augmentation). Parts added later are left out while off, so existing hashes stay.
 */
export function activeAugmentParts(augment: AugmentConfig | null | undefined): Partial<AugmentConfig> | null {
  if (!augment) return null;
  const on: Partial<AugmentConfig> = {};
  if (augment.gain_db && (augment.gain_db[0] !== 0 || augment.gain_db[1] !== 0)) on.gain_db = augment.gain_db;
  if (augment.polarity) on.polarity = true;
  if (augment.shift_ms > 0) on.shift_ms = augment.shift_ms;
  if (augment.pitch_semitones > 0) on.pitch_semitones = augment.pitch_semitones;
  if (augment.mix > 0) on.mix = augment.mix;
  return Object.keys(on).length > 0 ? on : null;
}

/** The part of a resolved config that determines the training result (see the file comment). */
export function hashedView(config: SampgenConfig): Record<string, unknown> {
  const trainView: Record<string, unknown> = { ...config.train };
  for (const key of [...UNHASHED_TRAIN_KEYS, ...ALL_SCHEDULE_KEYS, ...OFF_UNHASHED_TRAIN_KEYS]) delete trainView[key];
  const augment = activeAugmentParts(config.train.augment);
  if (augment) trainView.augment = augment;
  if (config.train.init_from != null) trainView.init_from = config.train.init_from;
  const schedule = config.train.lr_schedule;
  if (schedule !== 'constant' || config.train.lr_warmup_epochs > 0) {
    trainView.lr_schedule = schedule;
    for (const key of SCHEDULE_KEYS[schedule]) trainView[key] = config.train[key];
    if (config.train.lr_warmup_epochs > 0) trainView.lr_warmup_epochs = config.train.lr_warmup_epochs;
  }
  if (schedule === 'cosine') trainView.epochs = config.train.epochs;
  return withModelSections(config, trainView);
}

/**
 * The hash sampgen 0.1's first releases computed, which also covered `train.epochs` and `train.max_steps`: run
 * folders and checkpoints made then carry it. It exists only for configs those versions could express (a constant
 * rate without warm-up); null otherwise.
 */
export function legacyHashedView(config: SampgenConfig): Record<string, unknown> | null {
  if (config.train.lr_schedule !== 'constant' || config.train.lr_warmup_epochs > 0) return null;
  if (activeAugmentParts(config.train.augment) || config.train.init_from != null) return null;
  const trainView: Record<string, unknown> = { ...config.train };
  for (const key of ['log_every', 'checkpoint_every', 'early_stop', 'export', ...ALL_SCHEDULE_KEYS, ...OFF_UNHASHED_TRAIN_KEYS]) delete trainView[key];
  return withModelSections(config, trainView);
}

/** The train keys the model uses, and the hashed keys of the sections its family reads (see the file comment). */
function withModelSections(config: SampgenConfig, trainView: Record<string, unknown>): Record<string, unknown> {
  const family = familyOf(config.model.type);
  if (config.train.optimizer !== 'adam') {
    delete trainView.beta1;
    delete trainView.beta2;
  }
  for (const key of family.unusedTrainKeys ?? []) delete trainView[key];
  const model: Record<string, unknown> = { ...config.model };
  for (const [key, spec] of Object.entries(family.modelKeys)) if (spec.isOff?.(model[key])) delete model[key];
  const view: Record<string, unknown> = { model, data: config.data, train: trainView };
  for (const section of family.sections ?? []) {
    const values = (config as unknown as Record<string, Record<string, unknown>>)[section.name]!;
    view[section.name] = Object.fromEntries(section.hashed.map((k) => [k, values[k]]));
  }
  return view;
}

function sha256(view: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(view)).digest('hex');
}

export function configHash(config: SampgenConfig): { fullHash: string; hash: string; legacyFullHash: string | null } {
  const fullHash = sha256(hashedView(config));
  const legacy = legacyHashedView(config);
  return { fullHash, hash: fullHash.slice(0, 8), legacyFullHash: legacy ? sha256(legacy) : null };
}
