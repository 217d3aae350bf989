import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LoadedConfig, runFolderName, serializeConfig } from '../config';
import { trainingSplit, Dataset, datasetFingerprint } from '../data';
import { backendSummary } from '../backend';
import type { BackendRequest } from '../backend/names';
import { initBackend, BackendChoice } from '../backend';
import { RuntimeFailure, UserError } from '../errors';
import { Progress, silentProgress, warnThrough } from '../progress';
import { HeldLock } from '../sweep/lock';
import { Rng } from '../util/rng';
import { writeFileAtomic } from '../util/atomic';
import { assertCanCreate } from '../util/output-dir';
import {
  CheckpointIdentity,
  cleanCheckpointLeftovers,
  hasCheckpoint,
  loadCheckpoint,
  readCheckpointState,
  saveBestWeights,
  saveCheckpoint,
  TrainState,
} from './checkpoint';
import { COLLAPSE_FIRST_EPOCH, COLLAPSE_RATIO, describeCollapse, measureCollapse } from './diagnostics';
import { createAugmenter } from './augment';
import { describeCondition } from '../models/condition';
import { conditionBatch } from './condition-batch';
import { exportTrained } from './export-run';
import { initFrom, InitFromRecord } from './init-from';
import { openTrainingDataset } from './training-data';
import { appendLog, EpochRecord, numericFields, readLog, truncateLog } from './log';
import { ModelTrainer } from './model-trainer';
import { setLearningRate } from './optimizer';
import { RUN_MARKERS, assertModelDirIsThisRuns, lockRunFolder, modelDirFor, runDirFor } from './run-folder';
import { learningRate, LrScheduleSpec } from './schedules';
import { deriveSeed, SeedStream } from './seeds';
import { StopFlag, newStopFlag } from './stop';
import { startTracking } from './tracking';
import { buildTrainer } from './trainers';

export { runDirFor, modelDirFor } from './run-folder';
export { exportRun } from './export-run';
export { openTrainingDataset } from './training-data';

export interface TrainOptions {
  loaded: LoadedConfig;
  /** Continue from the run folder's checkpoint (starts fresh, with a message, when there is none). */
  resume?: boolean;
  /** Start over even though the run folder has a checkpoint; also lets the export replace a non-link at models/<name>. */
  force?: boolean;
  /** Overrides train.backend. */
  backend?: BackendRequest;
  progress?: Progress;
  /** Set `requested` to stop after the current batch with a checkpoint (signals, tests, sweeps). */
  stop?: StopFlag;
  /** Export the model folder at the end (default true). */
  export?: boolean;
  /** The run folder's lock, when the caller already holds it (a sweep); otherwise training takes it. */
  lock?: HeldLock;
  /** Called after every epoch is logged (experiment tracking, previews). */
  onEpoch?: EpochHook[];
}

/** What an epoch-end hook sees. Hooks must not change the trainer's weights. */
export interface EpochContext {
  runDir: string;
  record: EpochRecord;
  trainer: ModelTrainer;
  dataset: Dataset;
  loaded: LoadedConfig;
}
export type EpochHook = (ctx: EpochContext) => void | Promise<void>;

export interface TrainResult {
  runDir: string;
  modelDir: string | null;
  status: 'completed' | 'interrupted';
  epochs: number;
  steps: number;
  final: Record<string, number | null>;
  samplesPerSecond: number;
  wallSeconds: number;
  backend: string;
  /** The dataset's fingerprint (see data/fingerprint.ts). */
  dataset: string;
  /** The best validated epoch and its selection loss (see ModelTrainer.selectionLoss), if any. */
  best: { epoch: number; val_loss: number } | null;
  /** The epoch at which early stopping ended the run, if it did. */
  stoppedEarly: number | null;
}

/** A process that found another holder's token in the run's lock: it stalled, and someone else now trains the run. */
export class RunTakenOver extends RuntimeFailure {
  constructor(runDir: string) {
    super(`another process took over the lock of ${runDir} (this one had stalled past the stale limit); it continues the run, this one stops writing`);
  }
}

/** Trains the model a config describes: the whole loop, with validation, logs, checkpoints, resume and export. */
export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const { loaded } = opts;
  const { config } = loaded;
  const progress = opts.progress ?? silentProgress;
  const stop = opts.stop ?? newStopFlag();
  const log = (m: string) => progress.log(m);

  // Where results go is checked before any work: a run must not train for hours and then find it cannot export.
  assertCanCreate(config.output.runs, 'output.runs');
  if (opts.export !== false) assertCanCreate(config.output.models, 'output.models');
  const dataset = openTrainingDataset(loaded);
  const runDir = runDirFor(loaded);
  try {
    const identity: CheckpointIdentity = {
      configHash: loaded.fullHash,
      legacyConfigHash: loaded.legacyFullHash,
      datasetFingerprint: datasetFingerprint(dataset.info),
      datasetPath: config.data.path,
    };
    if (opts.export !== false) assertModelDirIsThisRuns(modelDirFor(loaded, runDir), identity.datasetFingerprint, opts.force);
    const lock = opts.lock ?? lockRunFolder(runDir, { label: `sampgen train ${runFolderName(loaded)}`, log });
    try {
      const removed = cleanCheckpointLeftovers(runDir);
      if (removed.length > 0) log(`removed what interrupted checkpoint writes left in ${path.join(runDir, 'checkpoints')}: ${removed.join(', ')}`);
      const resuming = prepareRunFolder(runDir, opts, log);
      const backend = await initBackend(opts.backend ?? config.train.backend, log);
      const trainer = buildTrainer(config, deriveSeed(config.train.seed, SeedStream.init, 0), {
        sampleRate: dataset.sampleRate,
        dataset: { info: dataset.info, dir: config.data.path },
      });
      if (trainer.condition) log(describeCondition(trainer.condition));
      const best = new BestWeights();
      try {
        let state: TrainState = newState();
        let initFromSource: InitFromRecord['source'] | undefined;
        if (config.train.init_from != null) {
          // Fine-tuning starts a fresh run from trained weights; a resumed run continues from its own checkpoint.
          if (resuming) log(`train.init_from ${config.train.init_from} is not read: the run continues from its checkpoint's weights`);
          else {
            const record = await initFrom(trainer, config.train.init_from);
            log(record.line);
            initFromSource = record.source;
          }
        }
        if (resuming) {
          if (hasCheckpoint(runDir, 'best')) {
            const bestState = await loadCheckpoint(runDir, trainer, identity, 'best');
            if (bestState.best) best.keep(trainer, bestState.best.epoch);
          }
          state = await loadCheckpoint(runDir, trainer, identity);
          if (best.epoch !== null && best.epoch !== state.best?.epoch) best.clear();
          trainer.restoreExtraState?.(state.extra);
          truncateLog(runDir, state.epoch);
          log(`resuming ${runDir} at epoch ${state.epoch + 1}, batch ${state.batchInEpoch}, step ${state.step}`);
        }
        // Written once the checkpoint is known to belong to this config and dataset; records the latest target.
        writeFileAtomic(path.join(runDir, 'config.yaml'), serializeConfig(loaded));
        const split = trainingSplit(dataset.count, config.data.validation, config.train.seed);
        if (split.train.length === 0) throw new UserError(`dataset ${config.data.path} leaves no training samples after the validation split`);
        const tracking = startTracking({
          runDir,
          loaded,
          trainer,
          dataset,
          previewRows: split.validation.length > 0 ? split.validation : split.train,
          startStep: state.step,
          backend: backendSummary(),
          datasetFingerprint: identity.datasetFingerprint,
          initFrom: initFromSource,
          progress,
        });
        let result: TrainResult;
        try {
          result = await trainLoop({ loaded, dataset, split, trainer, runDir, state, progress, stop, backend, identity, lock, best, hooks: [tracking.onEpoch, ...(opts.onEpoch ?? [])] });
        } finally {
          tracking.close();
        }
        if (result.status === 'completed' && opts.export !== false) {
          const useBest = config.train.export === 'best' && best.epoch !== null;
          if (useBest) best.restoreInto(trainer);
          else if (config.train.export === 'best') log('no validated best epoch (no validation split, or a model without a validation criterion): exporting the last weights');
          result.modelDir = await exportTrained({ loaded, dataset, trainer, runDir, result, weights: useBest ? 'best' : 'last', force: opts.force, log });
        }
        return result;
      } finally {
        best.clear();
        trainer.dispose();
      }
    } finally {
      if (!opts.lock) await lock.release();
    }
  } finally {
    dataset.close();
  }
}

function newState(): TrainState {
  return { epoch: 0, batchInEpoch: 0, step: 0, wallSeconds: 0, epochLossSums: {}, extra: {}, workdir: process.cwd(), best: null, warned: [] };
}

/** In-memory copies of the best epoch's weights: written to checkpoints/best with the next checkpoint, exported at the end. */
class BestWeights {
  epoch: number | null = null;
  private weights: Record<string, tf.Tensor[]> | null = null;
  /** Whether the copies changed since they were last saved. */
  dirty = false;

  keep(trainer: ModelTrainer, epoch: number): void {
    this.clear();
    this.weights = Object.fromEntries(Object.entries(trainer.models).map(([name, m]) => [name, m.getWeights().map((w) => w.clone())]));
    this.epoch = epoch;
    this.dirty = true;
  }

  async save(runDir: string, state: TrainState, identity: CheckpointIdentity): Promise<void> {
    if (!this.weights || !this.dirty) return;
    await saveBestWeights(runDir, this.weights, state, identity);
    this.dirty = false;
  }

  restoreInto(trainer: ModelTrainer): void {
    for (const [name, model] of Object.entries(trainer.models)) model.setWeights(this.weights![name]!);
  }

  clear(): void {
    if (this.weights) for (const tensors of Object.values(this.weights)) tf.dispose(tensors);
    this.weights = null;
    this.epoch = null;
  }
}

/** Returns whether to resume. Refuses to silently discard a checkpoint; clears what a fresh start replaces. */
function prepareRunFolder(runDir: string, opts: TrainOptions, log: (m: string) => void): boolean {
  const existing = hasCheckpoint(runDir);
  if (existing && !opts.resume && !opts.force) {
    const state = readCheckpointState(runDir);
    throw new UserError(
      `${runDir} already has a checkpoint (epoch ${state?.epoch ?? '?'}); use --resume to continue it or --force to start over`,
    );
  }
  if (opts.resume && !existing) {
    // Under a cosine schedule train.epochs is part of the run's identity (the curve spans the run): another length
    // is another run, so a finished cosine run cannot be extended by --set train.epochs.
    const cosine = opts.loaded.config.train.lr_schedule === 'cosine';
    log(
      `nothing to resume in ${runDir}: starting a new run` +
        (cosine ? ' (with lr_schedule cosine, train.epochs is part of the run hash: a run of another length is another run)' : ''),
    );
  }
  const resuming = Boolean(opts.resume && existing);
  if (!resuming) {
    // A fresh start: what the previous run wrote describes weights that are about to be replaced.
    for (const name of ['checkpoints', 'log.jsonl', 'tb', 'provenance.jsonl', ...RUN_MARKERS]) fs.rmSync(path.join(runDir, name), { recursive: true, force: true });
  }
  fs.mkdirSync(runDir, { recursive: true });
  return resuming;
}

interface LoopInput {
  loaded: LoadedConfig;
  dataset: Dataset;
  /** The run's training and validation rows (trainingSplit of the dataset, the validation fraction and the seed). */
  split: ReturnType<typeof trainingSplit>;
  trainer: ModelTrainer;
  runDir: string;
  state: TrainState;
  progress: Progress;
  stop: StopFlag;
  backend: BackendChoice;
  identity: CheckpointIdentity;
  lock: HeldLock;
  best: BestWeights;
  hooks: EpochHook[];
}

async function trainLoop(input: LoopInput): Promise<TrainResult> {
  const { loaded, dataset, split, trainer, runDir, progress, stop, backend, identity, lock, best } = input;
  const { config } = loaded;
  const { train } = config;
  const state = input.state;
  state.warned ??= [];
  state.best ??= null;
  const seed = train.seed;
  const batchSize = Math.min(train.batch_size, split.train.length);
  const batchesPerEpoch = Math.ceil(split.train.length / batchSize);
  const rowBuffer = new Float32Array(batchSize * dataset.length);
  const augmenter = createAugmenter(train.augment, { sampleRate: dataset.sampleRate, length: dataset.length, attack: dataset.info.attack });
  if (augmenter) progress.log(augmenter.describe());
  const plannedSteps = Math.min(train.epochs * batchesPerEpoch, train.max_steps ?? Infinity);
  const schedule = scheduleOf(loaded);
  const scheduled = train.lr_schedule !== 'constant' || train.lr_warmup_epochs > 0;
  const warnOnce = (key: string, message: string) => {
    if (state.warned!.includes(key)) return;
    state.warned!.push(key);
    warnThrough(progress, message);
  };
  for (const message of trainer.planWarnings?.(plannedSteps) ?? []) warnOnce(message, message);
  const checkpoint = async () => {
    state.extra = trainer.extraState?.() ?? {};
    await saveCheckpoint(runDir, trainer, state, identity);
    await best.save(runDir, state, identity);
  };
  const assertStillOwner = () => {
    if (lock.lost) throw new RunTakenOver(runDir);
  };
  let lastRecord: EpochRecord | undefined = readLog(runDir).at(-1);
  let status: TrainResult['status'] = 'completed';
  const linesEvery = niceInterval(train.epochs / 50);
  const sessionStart = { time: Date.now(), step: state.step };
  const eta = (): string => {
    const done = state.step - sessionStart.step;
    if (done <= 0) return '?';
    return formatDuration(((Date.now() - sessionStart.time) / 1000 / done) * Math.max(0, plannedSteps - state.step));
  };
  if (state.finished) {
    progress.log(`${runDir} stopped early at epoch ${state.finished.epoch} (train.early_stop); it does not continue`);
  } else {
    progress.start(plannedSteps, 'train', { epoch: `${state.epoch + 1}/${train.epochs}`, loss: '-', val: '-', speed: '-' });
    progress.update(state.step);
  }

  epochs: for (let epoch = state.epoch; epoch < train.epochs && !state.finished; epoch++) {
    const order = Int32Array.from(split.train);
    if (config.data.shuffle) new Rng(deriveSeed(seed, SeedStream.epochOrder, epoch)).shuffle(order);
    const epochStart = Date.now();
    const wallAtEpochStart = state.wallSeconds;
    let samplesThisSession = 0;
    let lr = train.lr;
    for (let b = state.batchInEpoch; b < batchesPerEpoch; b++) {
      assertStillOwner();
      if (scheduled) {
        lr = learningRate(state.step / batchesPerEpoch, schedule);
        for (const opt of Object.values(trainer.optimizers)) setLearningRate(opt, lr);
      }
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
      const rows = dataset.readRows(indices, rowBuffer.subarray(0, indices.length * dataset.length));
      // Training batches only (evaluateSplit reads validation rows afresh); the draws depend on (seed, step) alone,
      // so a resumed run augments exactly as an uninterrupted one.
      const augmentSeed = deriveSeed(seed, SeedStream.augment, state.step);
      augmenter?.apply(rows, indices.length, augmentSeed);
      const batch = tf.tensor2d(rows, [indices.length, dataset.length]);
      const condition = conditionBatch(trainer, dataset, indices, augmenter ? (c, width, v) => augmenter.applyToConditions(c, width, indices.length, augmentSeed, v) : undefined);
      let losses: Record<string, number>;
      try {
        losses = trainer.trainStep(batch, { step: state.step, seed: deriveSeed(seed, SeedStream.step, state.step), condition });
      } finally {
        batch.dispose();
        condition?.dispose();
      }
      const bad = Object.entries(losses).find(([, v]) => !Number.isFinite(v));
      if (bad) {
        progress.stop();
        const kept = readCheckpointState(runDir);
        throw new RuntimeFailure(
          `training diverged at epoch ${epoch + 1}, step ${state.step + 1}: ${bad[0]} is ${bad[1]}. ` +
            (kept
              ? `The last good checkpoint (epoch ${kept.epoch}, step ${kept.step}) is kept in ${runDir}; `
              : 'No checkpoint had been written yet; ') +
            'lower train.lr (or check the dataset for extreme values) and run again.',
        );
      }
      for (const [k, v] of Object.entries(losses)) state.epochLossSums[k] = (state.epochLossSums[k] ?? 0) + v * indices.length;
      state.epochLossSums.__count = (state.epochLossSums.__count ?? 0) + indices.length;
      state.step++;
      state.batchInEpoch = b + 1;
      samplesThisSession += indices.length;
      state.wallSeconds = wallAtEpochStart + (Date.now() - epochStart) / 1000;
      if (trainer.onStep) await trainer.onStep(state.step, runDir);
      // A training step is synchronous from start to end; without a turn of the event loop between batches, a
      // SIGINT/SIGTERM handler would not run before training ended.
      await turnOfEventLoop();
      if (b % train.log_every === 0 || b === batchesPerEpoch - 1) {
        const rate = samplesThisSession / Math.max(1e-9, (Date.now() - epochStart) / 1000);
        progress.update(state.step, { epoch: `${epoch + 1}/${train.epochs}`, loss: losses.loss!.toPrecision(4), speed: `${rate.toFixed(1)} samples/s` });
      }
      if (train.max_steps != null && state.step >= train.max_steps && b < batchesPerEpoch - 1) {
        // A smoke run's step budget ends mid-epoch: close the epoch here so it is logged and exported.
        break;
      }
      // On the epoch's last batch, let the epoch close normally (validation, log) before stopping.
      if (stop.requested && b < batchesPerEpoch - 1) {
        assertStillOwner();
        progress.stop();
        await checkpoint();
        stop.saved = true; // a further signal now exits 0 at once: nothing is left to lose
        progress.log(`stopped (${stop.reason ?? 'requested'}) at epoch ${epoch + 1}, batch ${b + 1}: checkpoint saved in ${runDir}; continue with --resume`);
        status = 'interrupted';
        break epochs;
      }
    }
    assertStillOwner();
    const count = state.epochLossSums.__count ?? 1;
    const trainLosses = Object.fromEntries(
      Object.entries(state.epochLossSums).filter(([k]) => k !== '__count').map(([k, v]) => [k, v / count]),
    );
    const validation = evaluateSplit(trainer, dataset, split.validation, batchSize, seed, state.step);
    const epochSeconds = (Date.now() - epochStart) / 1000;
    const record: EpochRecord = {
      epoch: epoch + 1,
      step: state.step,
      ...trainLosses,
      loss: trainLosses.loss ?? NaN,
      val_loss: validation?.loss ?? null,
      lr,
      wall_s: round(state.wallSeconds, 3),
      samples_per_s: round(samplesThisSession / Math.max(1e-9, epochSeconds), 2),
    };
    for (const [k, v] of Object.entries(validation ?? {})) if (k !== 'loss') record[`val_${k}`] = v;
    const selection = validation && trainer.selectionLoss ? trainer.selectionLoss(validation) : null;
    if (selection !== null && Number.isFinite(selection)) {
      if (selection !== validation!.loss) record.val_objective = selection;
      if (!state.best || selection < state.best.val_loss) {
        state.best = { epoch: epoch + 1, val_loss: selection };
        best.keep(trainer, epoch + 1);
      }
      const es = train.early_stop;
      if (es) {
        const ref = state.earlyStop;
        if (!ref || selection < ref.val_loss - es.min_delta) state.earlyStop = { epoch: epoch + 1, val_loss: selection };
        else if (epoch + 1 - ref.epoch >= es.patience) state.finished = { reason: 'early_stop', epoch: epoch + 1 };
      }
    }
    record.best_epoch = state.best?.epoch ?? null;
    appendLog(runDir, record);
    lastRecord = record;
    for (const hook of input.hooks) await hook({ runDir, record, trainer, dataset, loaded });
    state.epoch = epoch + 1;
    state.batchInEpoch = 0;
    state.epochLossSums = {};
    const smokeDone = train.max_steps != null && state.step >= train.max_steps;
    const lastEpoch = state.epoch === train.epochs || smokeDone || Boolean(state.finished);
    const checkpointDue = state.epoch % train.checkpoint_every === 0 || lastEpoch || stop.requested;
    if (checkpointDue && state.epoch >= COLLAPSE_FIRST_EPOCH && !state.warned.includes('collapse')) {
      const report = withRows(dataset, split.validation.length >= 2 ? split.validation : split.train, 16, (x, condition) => measureCollapse(trainer, x, condition), trainer);
      if (report && report.ratio < COLLAPSE_RATIO) warnOnce('collapse', describeCollapse(report, state.epoch));
    }
    const line =
      `epoch ${state.epoch}/${train.epochs}: loss ${fmt(record.loss)}` +
      (record.val_loss === null ? '' : `, val_loss ${fmt(record.val_loss)}`) +
      // A VAE's best epoch is chosen by its objective at the target β, not by val_loss (see selectionLoss): say which.
      (record.val_objective !== undefined ? `, val_objective ${fmt(record.val_objective as number)}` : '') +
      (state.best ? ` (best ${fmt(state.best.val_loss)} at epoch ${state.best.epoch})` : '') +
      `, lr ${fmt(lr)}, ${record.samples_per_s} samples/s, eta ${eta()}`;
    if (progress.live) {
      progress.update(state.step, { epoch: `${state.epoch}/${train.epochs}`, val: record.val_loss === null ? '-' : fmt(record.val_loss) });
      if (lastEpoch) progress.log(line);
    } else if (state.epoch === 1 || state.epoch % linesEvery === 0 || lastEpoch) {
      progress.log(line);
    }
    if (checkpointDue) await checkpoint();
    if (state.finished) {
      progress.log(
        `early stop at epoch ${state.epoch}: the validation loss has not improved by more than ${train.early_stop!.min_delta} ` +
          `for ${train.early_stop!.patience} epochs (best ${fmt(state.best!.val_loss)} at epoch ${state.best!.epoch})`,
      );
      break;
    }
    if (smokeDone) break;
    if (stop.requested && state.epoch < train.epochs) {
      stop.saved = true; // the epoch's checkpoint above was the stop's
      progress.stop();
      progress.log(`stopped (${stop.reason ?? 'requested'}) after epoch ${state.epoch}: checkpoint saved in ${runDir}; continue with --resume`);
      status = 'interrupted';
      break;
    }
  }
  progress.stop();

  const final = numericFields(lastRecord);
  return {
    runDir,
    modelDir: null,
    status,
    epochs: state.epoch,
    steps: state.step,
    final,
    samplesPerSecond: lastRecord?.samples_per_s ?? 0,
    wallSeconds: round(state.wallSeconds, 3),
    backend: backend.name,
    dataset: identity.datasetFingerprint,
    best: state.best ?? null,
    stoppedEarly: state.finished?.epoch ?? null,
  };
}

export function scheduleOf(loaded: LoadedConfig): LrScheduleSpec {
  const t = loaded.config.train;
  return {
    lr: t.lr,
    schedule: t.lr_schedule,
    warmupEpochs: t.lr_warmup_epochs,
    stepEvery: t.lr_step_every,
    stepGamma: t.lr_step_gamma,
    minLr: t.lr_min,
    epochs: t.epochs,
  };
}

/** Runs `fn` on a tensor of the first `max` of `indices`' rows. */
function withRows<T>(dataset: Dataset, indices: Int32Array, max: number, fn: (x: tf.Tensor2D, condition?: tf.Tensor2D) => T, trainer?: ModelTrainer): T {
  const idx = indices.subarray(0, Math.min(max, indices.length));
  const x = tf.tensor2d(dataset.readRows(idx), [idx.length, dataset.length]);
  const condition = trainer ? conditionBatch(trainer, dataset, idx) : undefined;
  try {
    return fn(x, condition);
  } finally {
    x.dispose();
    condition?.dispose();
  }
}

/** Mean losses over a split (weighted by batch size), or null for an empty split. */
function evaluateSplit(trainer: ModelTrainer, dataset: Dataset, indices: Int32Array, batchSize: number, seed: number, step: number): Record<string, number> | null {
  if (indices.length === 0) return null;
  const sums: Record<string, number> = {};
  for (let start = 0; start < indices.length; start += batchSize) {
    const idx = indices.subarray(start, Math.min(start + batchSize, indices.length));
    const batch = tf.tensor2d(dataset.readRows(idx), [idx.length, dataset.length]);
    const condition = conditionBatch(trainer, dataset, idx);
    try {
      // The same noise every epoch (seeded by batch position), so validation losses compare across epochs.
      const losses = trainer.evaluate(batch, { step, seed: deriveSeed(seed, SeedStream.validation, start), condition });
      for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v * idx.length;
    } finally {
      batch.dispose();
      condition?.dispose();
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / indices.length]));
}

/** 1, 2, 5, 10, 20, 50, … : the smallest at or above x (epochs between plain progress lines). */
export function niceInterval(x: number): number {
  if (!(x > 1)) return 1;
  const decade = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * decade >= x) return m * decade;
  return 10 * decade;
}

/** 3725 → "1h02m", 95 → "1m35s", 7 → "7s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(5) : String(x);
}

/** Resolves after Node has handled pending events (signals among them). */
function turnOfEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
