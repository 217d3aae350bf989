/**
 * Exporting a run: its model folder `<output.models>/<name>-<hash>/` (see run-folder.ts), written at the end of
 * training or later by `sampgen export <run>`, from the run's best or last weights.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LoadedConfig, loadConfig } from '../config';
import { Dataset, datasetFingerprint } from '../data';
import { initBackend } from '../backend';
import { writeModelFolder, NewModelMetadata } from '../export';
import { UserError } from '../errors';
import { Progress, silentProgress } from '../progress';
import { CheckpointIdentity, hasCheckpoint, loadCheckpoint, readCheckpointState } from './checkpoint';
import { numericFields, readLog } from './log';
import { ModelTrainer } from './model-trainer';
import { assertModelDirIsThisRuns, linkModelAlias, modelAliasFor, modelDirFor } from './run-folder';
import type { TrainOptions, TrainResult } from './run';
import { conditionBatch } from './condition-batch';
import { openTrainingDataset } from './training-data';
import { deriveSeed, SeedStream } from './seeds';
import { buildTrainer } from './trainers';

export interface ExportInput {
  loaded: LoadedConfig;
  dataset: Dataset;
  trainer: ModelTrainer;
  runDir: string;
  result: TrainResult;
  /** Which weights the trainer holds now. */
  weights: 'best' | 'last';
  /** Replace a real folder at models/<name> by the alias link. */
  force?: boolean;
  log?: (m: string) => void;
}

/** Writes the run's model folder and points models/<name> at it; returns the folder. */
export async function exportTrained(input: ExportInput): Promise<string> {
  const { loaded, dataset, trainer, result, runDir } = input;
  const { config } = loaded;
  const log = input.log ?? (() => {});
  const epoch = input.weights === 'best' && result.best ? result.best.epoch : result.epochs;
  const record = readLog(runDir).find((r) => r.epoch === epoch);
  const losses = numericFields(record);
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
    losses: record ? losses : result.final,
    epochs: result.epochs,
    preprocess: {
      channel: String(dataset.info.parameters.channel),
      attack: dataset.info.attack,
      length: dataset.length,
      sample_rate: dataset.sampleRate,
    },
    run: { folder: path.basename(runDir), dataset_fingerprint: result.dataset, weights: input.weights, epoch },
    condition: trainer.condition,
    training: {
      steps: result.steps,
      wall_s: result.wallSeconds,
      samples_per_s: result.samplesPerSecond,
      backend: result.backend,
      run: path.resolve(runDir),
      dataset: { path: path.resolve(config.data.path), count: dataset.count },
      best: result.best,
      stopped_early: result.stoppedEarly,
    },
  };
  const dir = modelDirFor(loaded, runDir);
  assertModelDirIsThisRuns(dir, result.dataset, input.force);
  await writeModelFolder(dir, trainer.exportParts(), metadata);
  log(`exported ${dir} (${input.weights === 'best' ? `best weights, epoch ${epoch}` : `last weights, epoch ${epoch}`})`);
  const alias = linkModelAlias(modelAliasFor(loaded), dir, { force: input.force, log });
  if (alias) log(`${alias} now points to it`);
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
    const condition = conditionBatch(trainer, dataset, idx);
    const z = tf.tidy(() => trainer.encode!(tf.tensor2d(dataset.readRows(idx), [idx.length, dataset.length]), condition));
    condition?.dispose();
    const rows = z.arraySync() as number[][];
    z.dispose();
    for (const row of rows) {
      min = min ? min.map((m, i) => Math.min(m, row[i]!)) : [...row];
      max = max ? max.map((m, i) => Math.max(m, row[i]!)) : [...row];
      if (keepPoints) points.push(row.map((v) => Math.round(v * 1e5) / 1e5));
    }
  }
  return { bounds: { min: min!, max: max! }, points: keepPoints ? points : undefined };
}

function priorBounds(prior: 'uniform' | 'normal' | null, latent: number): { min: number[]; max: number[] } {
  const r = prior === 'normal' ? 3 : 1;
  return { min: Array(latent).fill(-r), max: Array(latent).fill(r) };
}

/**
 * `sampgen export <run>`: rebuilds the models from the run's saved config, loads its checkpoint (the best one when
 * train.export is best and the run has one, else the latest) and writes the run's model folder (e.g. for a run
 * that was interrupted, or trained with --no-export).
 */
export async function exportRun(runDir: string, opts: { backend?: TrainOptions['backend']; progress?: Progress; force?: boolean } = {}): Promise<string> {
  const configFile = path.join(runDir, 'config.yaml');
  if (!fs.existsSync(configFile)) throw new UserError(`${runDir} is not a sampgen run folder: ${configFile} is missing`);
  const state = readCheckpointState(runDir);
  if (!state) throw new UserError(`${runDir} has no checkpoint to export`);
  const loaded = withPathsFrom(loadConfig(configFile), state.workdir);
  const progress = opts.progress ?? silentProgress;
  const backend = await initBackend(opts.backend ?? loaded.config.train.backend, (m) => progress.log(m));
  const dataset = openTrainingDataset(loaded);
  const trainer = buildTrainer(loaded.config, deriveSeed(loaded.config.train.seed, SeedStream.init, 0), {
    sampleRate: dataset.sampleRate,
    dataset: { info: dataset.info, dir: loaded.config.data.path },
  });
  const identity: CheckpointIdentity = {
    configHash: loaded.fullHash,
    legacyConfigHash: loaded.legacyFullHash,
    datasetFingerprint: datasetFingerprint(dataset.info),
    datasetPath: loaded.config.data.path,
  };
  try {
    await loadCheckpoint(runDir, trainer, identity);
    const useBest = loaded.config.train.export === 'best' && state.best != null && hasCheckpoint(runDir, 'best');
    if (useBest) await loadCheckpoint(runDir, trainer, identity, 'best');
    const records = readLog(runDir).filter((r) => r.epoch <= state.epoch);
    const last = records.at(-1);
    const final = numericFields(last);
    const result: TrainResult = {
      runDir,
      modelDir: null,
      status: state.epoch >= loaded.config.train.epochs || state.finished ? 'completed' : 'interrupted',
      epochs: state.epoch,
      steps: state.step,
      final,
      samplesPerSecond: last?.samples_per_s ?? 0,
      wallSeconds: state.wallSeconds,
      backend: backend.name,
      dataset: identity.datasetFingerprint,
      best: state.best ?? null,
      stoppedEarly: state.finished?.epoch ?? null,
    };
    return await exportTrained({ loaded, dataset, trainer, runDir, result, weights: useBest ? 'best' : 'last', force: opts.force, log: (m) => progress.log(m) });
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
