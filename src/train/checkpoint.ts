import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { replaceDirAtomic, writeFileAtomic } from '../util/atomic';
import { NamedTensor, optimizerState, restoreOptimizerState } from './optimizer';

export const CHECKPOINT_VERSION = 1;

/** Where the run stands: enough, with the weights, to continue exactly where it stopped. */
export interface TrainState {
  /** Epochs fully completed. */
  epoch: number;
  /** Batches of the current (incomplete) epoch already applied; 0 at an epoch boundary. */
  batchInEpoch: number;
  /** Optimisation steps applied since the start of the run. */
  step: number;
  /** Seconds spent training so far (excluding time between an interruption and the resume). */
  wallSeconds: number;
  /** Partial sums of the current epoch's losses, so that a resumed epoch reports the same mean. */
  epochLossSums: Record<string, number>;
  /** Anything a model trainer needs beyond weights (e.g. a GAN's generator step counter). */
  extra: Record<string, unknown>;
  /**
   * The working folder training started in: the run's config.yaml keeps data.path and output.models as written,
   * relative to it, so `sampgen export <run>` from another folder resolves them from here. Absent in checkpoints
   * of older versions (then the current folder is used).
   */
  workdir?: string;
}

interface CheckpointFile {
  version: number;
  config_hash: string;
  state: TrainState;
  models: Record<string, number>; // number of weight tensors per model
  optimizers: Record<string, string[]>;
  specs: tf.io.WeightsManifestEntry[];
  saved: string;
}

export interface CheckpointTarget {
  models: Record<string, tf.LayersModel>;
  optimizers: Record<string, tf.Optimizer>;
}

const LATEST = 'latest';

export function checkpointDir(runDir: string): string {
  return path.join(runDir, 'checkpoints', LATEST);
}

/** Saves weights, optimizer state and counters atomically: the previous checkpoint stays until the new one is whole. */
export async function saveCheckpoint(runDir: string, target: CheckpointTarget, state: TrainState, configHash: string): Promise<void> {
  const named: NamedTensor[] = [];
  const models: Record<string, number> = {};
  for (const [name, model] of Object.entries(target.models)) {
    const weights = model.getWeights();
    models[name] = weights.length;
    weights.forEach((tensor, i) => named.push({ name: `model/${name}/${i}`, tensor }));
  }
  const optimizers: Record<string, string[]> = {};
  for (const [name, opt] of Object.entries(target.optimizers)) {
    const weights = await optimizerState(opt);
    optimizers[name] = weights.map((w) => w.name);
    weights.forEach((w, i) => named.push({ name: `optimizer/${name}/${i}`, tensor: w.tensor }));
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  const file: CheckpointFile = {
    version: CHECKPOINT_VERSION,
    config_hash: configHash,
    state,
    models,
    optimizers,
    specs,
    saved: new Date().toISOString(),
  };
  const finalDir = checkpointDir(runDir);
  const tmpDir = path.join(path.dirname(finalDir), `.tmp-${LATEST}-${process.pid}`);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  writeFileAtomic(path.join(tmpDir, 'weights.bin'), new Uint8Array(data));
  writeFileAtomic(path.join(tmpDir, 'checkpoint.json'), JSON.stringify(file, null, 1));
  replaceDirAtomic(tmpDir, finalDir);
}

/** The checkpoint folder to read, or null: 'latest', or the previous one if a swap was interrupted half-way. */
function findCheckpoint(runDir: string): string | null {
  const dir = checkpointDir(runDir);
  if (fs.existsSync(path.join(dir, 'checkpoint.json'))) return dir;
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) return null;
  const old = fs.readdirSync(parent).find((n) => n.startsWith(`${LATEST}.sampgen-old-`));
  return old && fs.existsSync(path.join(parent, old, 'checkpoint.json')) ? path.join(parent, old) : null;
}

export function hasCheckpoint(runDir: string): boolean {
  return findCheckpoint(runDir) !== null;
}

/** Reads the counters only (cheap): for messages and sweeps. */
export function readCheckpointState(runDir: string): TrainState | null {
  const dir = findCheckpoint(runDir);
  if (!dir) return null;
  return (JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as CheckpointFile).state;
}

/** Restores weights and optimizer state into freshly built models; returns the saved counters. */
export async function loadCheckpoint(runDir: string, target: CheckpointTarget, configHash: string): Promise<TrainState> {
  const dir = findCheckpoint(runDir);
  if (!dir) throw new UserError(`no checkpoint to resume from in ${runDir}`);
  let file: CheckpointFile;
  try {
    file = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as CheckpointFile;
  } catch (err) {
    throw new UserError(`checkpoint ${dir} is unreadable: ${(err as Error).message}`);
  }
  if (file.version !== CHECKPOINT_VERSION) {
    throw new UserError(`checkpoint ${dir} has format version ${file.version}; this sampgen reads version ${CHECKPOINT_VERSION}`);
  }
  if (file.config_hash !== configHash) {
    throw new UserError(
      `checkpoint ${dir} was made with config ${file.config_hash}, but the config now resolves to ${configHash}; ` +
        'resume with the same config and --set overrides, or start a new run',
    );
  }
  const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), file.specs);
  try {
    for (const [name, model] of Object.entries(target.models)) {
      const count = file.models[name];
      if (count === undefined || count !== model.getWeights().length) {
        throw new UserError(`checkpoint ${dir} does not match the model '${name}' built from the config`);
      }
      model.setWeights(Array.from({ length: count }, (_, i) => tensors[`model/${name}/${i}`]!));
    }
    for (const [name, opt] of Object.entries(target.optimizers)) {
      const names = file.optimizers[name];
      if (!names) throw new UserError(`checkpoint ${dir} has no state for optimizer '${name}'`);
      // setWeights makes variables that share (and reference-count) these tensors' data, so disposing the
      // decoded tensors below is safe.
      const weights = names.map((n, i) => ({ name: n, tensor: tensors[`optimizer/${name}/${i}`]! }));
      await restoreOptimizerState(opt, weights);
    }
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return file.state;
}
