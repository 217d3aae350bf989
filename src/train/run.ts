import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LoadedConfig, loadConfig, serializeConfig, runFolderName } from '../config';
import { openDataset, trainingSplit, Dataset } from '../data';
import { initBackend, BackendChoice } from '../backend';
import { writeModelFolder, NewModelMetadata } from '../export';
import { RuntimeFailure, UserError } from '../errors';
import { Progress, silentProgress } from '../progress';
import { Rng } from '../util/rng';
import { writeFileAtomic } from '../util/atomic';
import { hasCheckpoint, loadCheckpoint, readCheckpointState, saveCheckpoint, TrainState } from './checkpoint';
import { appendLog, EpochRecord, readLog, truncateLog } from './log';
import { ModelTrainer } from './model-trainer';
import { deriveSeed, SeedStream } from './seeds';
import { StopFlag, newStopFlag } from './stop';
import { buildTrainer } from './trainers';

export interface TrainOptions {
  loaded: LoadedConfig;
  /** Continue from the run folder's checkpoint (starts fresh, with a message, when there is none). */
  resume?: boolean;
  /** Start over even though the run folder has a checkpoint. */
  force?: boolean;
  /** Overrides train.backend. */
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  progress?: Progress;
  /** Set `requested` to stop after the current batch with a checkpoint (signals, tests, sweeps). */
  stop?: StopFlag;
  /** Export the model folder at the end (default true). */
  export?: boolean;
}

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
}

export function runDirFor(loaded: LoadedConfig): string {
  return path.join(loaded.config.output.runs, runFolderName(loaded));
}

export function modelDirFor(loaded: LoadedConfig): string {
  return path.join(loaded.config.output.models, loaded.config.name);
}

/** Trains the model a config describes: the whole loop, with validation, logs, checkpoints, resume and export. */
export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const { loaded } = opts;
  const { config } = loaded;
  const progress = opts.progress ?? silentProgress;
  const stop = opts.stop ?? newStopFlag();
  const log = (m: string) => progress.log(m);

  const dataset = openTrainingDataset(loaded);
  const runDir = runDirFor(loaded);
  try {
    const resuming = prepareRunFolder(runDir, loaded, opts, log);
    const backend = await initBackend(opts.backend ?? config.train.backend, log);
    const seed = config.train.seed;
    const trainer = buildTrainer(config, deriveSeed(seed, SeedStream.init, 0), { sampleRate: dataset.sampleRate });
    try {
      let state: TrainState = { epoch: 0, batchInEpoch: 0, step: 0, wallSeconds: 0, epochLossSums: {}, extra: {}, workdir: process.cwd() };
      if (resuming) {
        state = await loadCheckpoint(runDir, trainer, loaded.fullHash);
        trainer.restoreExtraState?.(state.extra);
        truncateLog(runDir, state.epoch);
        log(`resuming ${runDir} at epoch ${state.epoch + 1}, batch ${state.batchInEpoch}, step ${state.step}`);
      }
      const result = await trainLoop({ loaded, dataset, trainer, runDir, state, progress, stop, backend });
      if (result.status === 'completed' && opts.export !== false) {
        result.modelDir = await exportTrained({ loaded, dataset, trainer, runDir, result });
        log(`exported ${result.modelDir}`);
      }
      return result;
    } finally {
      trainer.dispose();
    }
  } finally {
    dataset.close();
  }
}

function openTrainingDataset(loaded: LoadedConfig): Dataset {
  const { config } = loaded;
  const dataset = openDataset(config.data.path);
  if (dataset.length !== config.model.length) {
    dataset.close();
    throw new UserError(
      `dataset ${config.data.path} has samples of length ${dataset.length}, but ${loaded.file} sets model.length = ` +
        `${config.model.length}; preprocess with --length ${config.model.length}s or set model.length`,
    );
  }
  if (dataset.count < 1) {
    dataset.close();
    throw new UserError(`dataset ${config.data.path} is empty (count 0)`);
  }
  return dataset;
}

/** Returns whether to resume. Refuses to silently discard a checkpoint. */
function prepareRunFolder(runDir: string, loaded: LoadedConfig, opts: TrainOptions, log: (m: string) => void): boolean {
  const existing = hasCheckpoint(runDir);
  if (existing && !opts.resume && !opts.force) {
    const state = readCheckpointState(runDir);
    throw new UserError(
      `${runDir} already has a checkpoint (epoch ${state?.epoch ?? '?'}); use --resume to continue it or --force to start over`,
    );
  }
  if (opts.resume && !existing) log(`nothing to resume in ${runDir}: starting a new run`);
  const resuming = Boolean(opts.resume && existing);
  if (!resuming && fs.existsSync(runDir)) {
    fs.rmSync(path.join(runDir, 'checkpoints'), { recursive: true, force: true });
    fs.rmSync(path.join(runDir, 'log.jsonl'), { force: true });
  }
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(path.join(runDir, 'config.yaml'), serializeConfig(loaded));
  return resuming;
}

interface LoopInput {
  loaded: LoadedConfig;
  dataset: Dataset;
  trainer: ModelTrainer;
  runDir: string;
  state: TrainState;
  progress: Progress;
  stop: StopFlag;
  backend: BackendChoice;
}

async function trainLoop(input: LoopInput): Promise<TrainResult> {
  const { loaded, dataset, trainer, runDir, progress, stop, backend } = input;
  const { config } = loaded;
  const { train } = config;
  const state = input.state;
  const seed = train.seed;
  const split = trainingSplit(dataset.count, config.data.validation, seed);
  if (split.train.length === 0) throw new UserError(`dataset ${config.data.path} leaves no training samples after the validation split`);
  const batchSize = Math.min(train.batch_size, split.train.length);
  const batchesPerEpoch = Math.ceil(split.train.length / batchSize);
  const rowBuffer = new Float32Array(batchSize * dataset.length);
  const checkpoint = async () => {
    state.extra = trainer.extraState?.() ?? {};
    await saveCheckpoint(runDir, trainer, state, loaded.fullHash);
  };
  let lastRecord: EpochRecord | undefined = readLog(runDir).at(-1);
  let status: TrainResult['status'] = 'completed';

  epochs: for (let epoch = state.epoch; epoch < train.epochs; epoch++) {
    const order = Int32Array.from(split.train);
    if (config.data.shuffle) new Rng(deriveSeed(seed, SeedStream.epochOrder, epoch)).shuffle(order);
    progress.start(batchesPerEpoch, `epoch ${epoch + 1}/${train.epochs}`, { loss: '-', 'samples/s': '-' });
    progress.update(state.batchInEpoch);
    const epochStart = Date.now();
    const wallAtEpochStart = state.wallSeconds;
    let samplesThisSession = 0;
    for (let b = state.batchInEpoch; b < batchesPerEpoch; b++) {
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
      const rows = dataset.readRows(indices, rowBuffer.subarray(0, indices.length * dataset.length));
      const batch = tf.tensor2d(rows, [indices.length, dataset.length]);
      let losses: Record<string, number>;
      try {
        losses = trainer.trainStep(batch, { step: state.step, seed: deriveSeed(seed, SeedStream.step, state.step) });
      } finally {
        batch.dispose();
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
        progress.update(b + 1, { loss: losses.loss!.toPrecision(4), 'samples/s': rate.toFixed(1) });
      }
      if (train.max_steps != null && state.step >= train.max_steps && b < batchesPerEpoch - 1) {
        // A smoke run's step budget ends mid-epoch: close the epoch here so it is logged and exported.
        break;
      }
      // On the epoch's last batch, let the epoch close normally (validation, log) before stopping.
      if (stop.requested && b < batchesPerEpoch - 1) {
        progress.stop();
        await checkpoint();
        progress.log(`stopped (${stop.reason ?? 'requested'}) at epoch ${epoch + 1}, batch ${b + 1}: checkpoint saved in ${runDir}; continue with --resume`);
        status = 'interrupted';
        break epochs;
      }
    }
    progress.stop();
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
      lr: train.lr,
      wall_s: round(state.wallSeconds, 3),
      samples_per_s: round(samplesThisSession / Math.max(1e-9, epochSeconds), 2),
    };
    for (const [k, v] of Object.entries(validation ?? {})) if (k !== 'loss') record[`val_${k}`] = v;
    appendLog(runDir, record);
    lastRecord = record;
    progress.log(
      `epoch ${epoch + 1}/${train.epochs}: loss ${fmt(record.loss)}` +
        (record.val_loss === null ? '' : `, val_loss ${fmt(record.val_loss)}`) +
        `, ${record.samples_per_s} samples/s`,
    );
    state.epoch = epoch + 1;
    state.batchInEpoch = 0;
    state.epochLossSums = {};
    const smokeDone = train.max_steps != null && state.step >= train.max_steps;
    if (state.epoch % train.checkpoint_every === 0 || state.epoch === train.epochs || smokeDone || stop.requested) await checkpoint();
    if (smokeDone) break;
    if (stop.requested && state.epoch < train.epochs) {
      progress.log(`stopped (${stop.reason ?? 'requested'}) after epoch ${state.epoch}: checkpoint saved in ${runDir}; continue with --resume`);
      status = 'interrupted';
      break;
    }
  }

  const final: Record<string, number | null> = {};
  if (lastRecord) for (const [k, v] of Object.entries(lastRecord)) if (typeof v === 'number' || v === null) final[k] = v;
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
  };
}

/** Mean losses over a split (weighted by batch size), or null for an empty split. */
function evaluateSplit(trainer: ModelTrainer, dataset: Dataset, indices: Int32Array, batchSize: number, seed: number, step: number): Record<string, number> | null {
  if (indices.length === 0) return null;
  const sums: Record<string, number> = {};
  for (let start = 0; start < indices.length; start += batchSize) {
    const idx = indices.subarray(start, Math.min(start + batchSize, indices.length));
    const batch = tf.tensor2d(dataset.readRows(idx), [idx.length, dataset.length]);
    try {
      // The same noise every epoch (seeded by batch position), so validation losses compare across epochs.
      const losses = trainer.evaluate(batch, { step, seed: deriveSeed(seed, SeedStream.validation, start) });
      for (const [k, v] of Object.entries(losses)) sums[k] = (sums[k] ?? 0) + v * idx.length;
    } finally {
      batch.dispose();
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / indices.length]));
}

interface ExportInput {
  loaded: LoadedConfig;
  dataset: Dataset;
  trainer: ModelTrainer;
  runDir: string;
  result: TrainResult;
}

/** Writes the model folder: the trainer's parts and sampgen.json with latent bounds seen on the training set. */
export async function exportTrained(input: ExportInput): Promise<string> {
  const { loaded, dataset, trainer, result } = input;
  const { config } = loaded;
  const latent = latentStatistics(trainer, dataset, config.train.batch_size);
  const metadata: NewModelMetadata & { training: Record<string, unknown> } = {
    name: config.name,
    model_type: config.model.type,
    sample_rate: dataset.sampleRate,
    length: dataset.length,
    latent: config.model.latent,
    latent_bounds: latent?.bounds ?? priorBounds(trainer.prior, config.model.latent),
    latent_prior: trainer.prior,
    latent_points: latent?.points,
    config_hash: loaded.hash,
    config: config as unknown as Record<string, unknown>,
    losses: result.final,
    epochs: result.epochs,
    preprocess: {
      channel: String(dataset.info.parameters.channel),
      attack: dataset.info.attack,
      length: dataset.length,
      sample_rate: dataset.sampleRate,
    },
    training: {
      steps: result.steps,
      wall_s: result.wallSeconds,
      samples_per_s: result.samplesPerSecond,
      backend: result.backend,
      run: path.resolve(input.runDir),
      dataset: { path: path.resolve(config.data.path), count: dataset.count },
    },
  };
  const dir = modelDirFor(loaded);
  await writeModelFolder(dir, trainer.exportParts(), metadata);
  return dir;
}

/** Latent bounds for UIs; points are kept for up to 10,000 samples (the study's scatter plots had ~7,500). */
function latentStatistics(trainer: ModelTrainer, dataset: Dataset, batchSize: number): { bounds: { min: number[]; max: number[] }; points?: number[][] } | null {
  if (!trainer.encode) return null;
  const keepPoints = dataset.count <= 10000;
  const points: number[][] = [];
  let min: number[] | null = null;
  let max: number[] | null = null;
  for (let start = 0; start < dataset.count; start += batchSize) {
    const idx = Int32Array.from({ length: Math.min(batchSize, dataset.count - start) }, (_, i) => start + i);
    const z = tf.tidy(() => trainer.encode!(tf.tensor2d(dataset.readRows(idx), [idx.length, dataset.length])));
    const rows = z.arraySync() as number[][];
    z.dispose();
    for (const row of rows) {
      min = min ? min.map((m, i) => Math.min(m, row[i]!)) : [...row];
      max = max ? max.map((m, i) => Math.max(m, row[i]!)) : [...row];
      if (keepPoints) points.push(row.map((v) => round(v, 5)));
    }
  }
  return { bounds: { min: min!, max: max! }, points: keepPoints ? points : undefined };
}

function priorBounds(prior: 'uniform' | 'normal' | null, latent: number): { min: number[]; max: number[] } {
  const r = prior === 'normal' ? 3 : 1;
  return { min: Array(latent).fill(-r), max: Array(latent).fill(r) };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(5) : String(x);
}

/**
 * `sampgen export <run>`: rebuilds the models from the run's saved config, loads its latest checkpoint and writes
 * the model folder (e.g. for a run that was interrupted, or trained with --no-export).
 */
export async function exportRun(runDir: string, opts: { backend?: TrainOptions['backend']; progress?: Progress } = {}): Promise<string> {
  const configFile = path.join(runDir, 'config.yaml');
  if (!fs.existsSync(configFile)) throw new UserError(`${runDir} is not a sampgen run folder: ${configFile} is missing`);
  const state = readCheckpointState(runDir);
  if (!state) throw new UserError(`${runDir} has no checkpoint to export`);
  const loaded = withPathsFrom(loadConfig(configFile), state.workdir);
  const progress = opts.progress ?? silentProgress;
  const backend = await initBackend(opts.backend ?? loaded.config.train.backend, (m) => progress.log(m));
  const dataset = openTrainingDataset(loaded);
  const trainer = buildTrainer(loaded.config, deriveSeed(loaded.config.train.seed, SeedStream.init, 0));
  try {
    await loadCheckpoint(runDir, trainer, loaded.fullHash);
    const records = readLog(runDir).filter((r) => r.epoch <= state.epoch);
    const last = records.at(-1);
    const final: Record<string, number | null> = {};
    if (last) for (const [k, v] of Object.entries(last)) if (typeof v === 'number' || v === null) final[k] = v;
    const result: TrainResult = {
      runDir,
      modelDir: null,
      status: state.epoch >= loaded.config.train.epochs ? 'completed' : 'interrupted',
      epochs: state.epoch,
      steps: state.step,
      final,
      samplesPerSecond: last?.samples_per_s ?? 0,
      wallSeconds: state.wallSeconds,
      backend: backend.name,
    };
    return await exportTrained({ loaded, dataset, trainer, runDir, result });
  } finally {
    trainer.dispose();
    dataset.close();
  }
}

/**
 * The config with data.path and output.models resolved from the folder training ran in (when it still exists), so
 * that a run exports from any working folder to where training itself would have exported it. The hashes are the
 * saved config's: only where files are, not what they hold, changes.
 */
function withPathsFrom(loaded: LoadedConfig, workdir: string | undefined): LoadedConfig {
  if (!workdir || !fs.existsSync(workdir)) return loaded;
  const { config } = loaded;
  return {
    ...loaded,
    config: {
      ...config,
      data: { ...config.data, path: path.resolve(workdir, config.data.path) },
      output: { ...config.output, models: path.resolve(workdir, config.output.models) },
    },
  };
}

/** Resolves after Node has handled pending events (signals among them). */
function turnOfEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
