import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { UserError, errorMessage } from '../errors';
import { replaceDirAtomic, writeFileAtomic } from '../util/atomic';
import { sha256Hex } from '../util/checksum';
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
  /** The best validation loss so far and its epoch (null before the first validated epoch, or without validation). */
  best?: { epoch: number; val_loss: number } | null;
  /** Early stopping's reference: the last epoch that improved on the one before it by more than min_delta. */
  earlyStop?: { epoch: number; val_loss: number };
  /** Why training ended before train.epochs, once it has (early stopping); absent while it may go on. */
  finished?: { reason: 'early_stop'; epoch: number };
  /** Warnings already given in this run (each is said once per run, not again on resume). */
  warned?: string[];
}

interface CheckpointFile {
  version: number;
  config_hash: string;
  /** sha256 of weights.bin, checked on every load (absent in checkpoints of earlier versions). */
  weights_sha256?: string;
  /** datasetFingerprint() of the data the run trained on (absent in checkpoints of earlier versions). */
  dataset_fingerprint?: string;
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

/**
 * A run keeps two checkpoints: `latest` (to resume from) and `best` (the weights of the best validation epoch, for
 * export). Both have the same layout.
 */
export type CheckpointSlot = 'latest' | 'best';
const LATEST: CheckpointSlot = 'latest';

export function checkpointDir(runDir: string, slot: CheckpointSlot = LATEST): string {
  return path.join(runDir, 'checkpoints', slot);
}

/** The run's identity as its checkpoints record it. */
export interface CheckpointIdentity {
  /** The config's full hash (config_hash in checkpoint.json). */
  configHash: string;
  /** Another hash the same config had under an earlier sampgen (accepted on load), or null. */
  legacyConfigHash?: string | null;
  datasetFingerprint: string;
  /** The dataset folder, for messages. */
  datasetPath?: string;
}

/** Saves weights, optimizer state and counters atomically: the previous checkpoint stays until the new one is whole. */
export async function saveCheckpoint(runDir: string, target: CheckpointTarget, state: TrainState, identity: CheckpointIdentity): Promise<void> {
  const weights = Object.fromEntries(Object.entries(target.models).map(([name, model]) => [name, model.getWeights()]));
  const named = modelTensors(weights);
  const optimizers: Record<string, string[]> = {};
  for (const [name, opt] of Object.entries(target.optimizers)) {
    const tensors = await optimizerState(opt);
    optimizers[name] = tensors.map((w) => w.name);
    tensors.forEach((w, i) => named.push({ name: `optimizer/${name}/${i}`, tensor: w.tensor }));
  }
  await writeCheckpointFolder(runDir, LATEST, named, modelCounts(weights), optimizers, state, identity);
}

/**
 * Saves the weights of the run's best epoch (copies the loop keeps in memory) as the `best` slot: models only, as
 * nothing resumes from it. `state` is the loop's state when it is written (its `best` names the epoch).
 */
export async function saveBestWeights(runDir: string, weights: Record<string, tf.Tensor[]>, state: TrainState, identity: CheckpointIdentity): Promise<void> {
  await writeCheckpointFolder(runDir, 'best', modelTensors(weights), modelCounts(weights), {}, state, identity);
}

function modelTensors(weights: Record<string, tf.Tensor[]>): NamedTensor[] {
  return Object.entries(weights).flatMap(([name, tensors]) => tensors.map((tensor, i) => ({ name: `model/${name}/${i}`, tensor })));
}

function modelCounts(weights: Record<string, tf.Tensor[]>): Record<string, number> {
  return Object.fromEntries(Object.entries(weights).map(([name, tensors]) => [name, tensors.length]));
}

async function writeCheckpointFolder(
  runDir: string,
  slot: CheckpointSlot,
  named: NamedTensor[],
  models: Record<string, number>,
  optimizers: Record<string, string[]>,
  state: TrainState,
  identity: CheckpointIdentity,
): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = new Uint8Array(data);
  const file: CheckpointFile = {
    version: CHECKPOINT_VERSION,
    config_hash: identity.configHash,
    weights_sha256: sha256Hex(bytes),
    dataset_fingerprint: identity.datasetFingerprint,
    state,
    models,
    optimizers,
    specs,
    saved: new Date().toISOString(),
  };
  const finalDir = checkpointDir(runDir, slot);
  const tmpDir = path.join(path.dirname(finalDir), `${TMP_PREFIX}${slot}-${process.pid}`);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  writeFileAtomic(path.join(tmpDir, WEIGHTS_FILE), bytes);
  writeFileAtomic(path.join(tmpDir, CHECKPOINT_JSON), JSON.stringify(file, null, 1));
  replaceDirAtomic(tmpDir, finalDir);
}

const TMP_PREFIX = '.tmp-';
const OLD_INFIX = '.sampgen-old-';
const WEIGHTS_FILE = 'weights.bin';
const CHECKPOINT_JSON = 'checkpoint.json';


/**
 * Removes what interrupted checkpoint writes left in `<run>/checkpoints/`: temp folders (`.tmp-<slot>-<pid>`)
 * and, where the slot itself is whole, the copies a swap moves aside (`<slot>.sampgen-old-<pid>`). Where a slot is
 * missing, the most advanced whole old copy (highest step, then name) is renamed back into place and the others go.
 * Only the process that holds the run's lock may call this: then no other writer is mid-write in the folder.
 * Returns the names removed, for a log line.
 */
export function cleanCheckpointLeftovers(runDir: string): string[] {
  const parent = path.join(runDir, 'checkpoints');
  if (!fs.existsSync(parent)) return [];
  const removed: string[] = [];
  const names = fs.readdirSync(parent).sort();
  for (const name of names.filter((n) => n.startsWith(TMP_PREFIX))) {
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  for (const slot of ['latest', 'best'] as const) {
    const olds = names.filter((n) => n.startsWith(`${slot}${OLD_INFIX}`));
    if (olds.length === 0) continue;
    const slotDir = path.join(parent, slot);
    if (!fs.existsSync(path.join(slotDir, CHECKPOINT_JSON))) {
      const chosen = mostAdvanced(olds.map((n) => path.join(parent, n)));
      if (chosen) {
        fs.rmSync(slotDir, { recursive: true, force: true });
        fs.renameSync(chosen, slotDir);
      }
    }
    for (const name of olds) {
      const full = path.join(parent, name);
      if (fs.existsSync(full)) {
        fs.rmSync(full, { recursive: true, force: true });
        removed.push(name);
      }
    }
  }
  return removed;
}

/** Of several whole checkpoint folders, the one with the most steps (ties: the last name), or null if none is whole. */
function mostAdvanced(dirs: string[]): string | null {
  let best: { dir: string; step: number } | null = null;
  for (const dir of [...dirs].sort()) {
    const file = readCheckpointFileOrNull(dir);
    if (!file) continue;
    const step = typeof file.state?.step === 'number' ? file.state.step : -1;
    if (!best || step >= best.step) best = { dir, step };
  }
  return best?.dir ?? null;
}

function readCheckpointFileOrNull(dir: string): CheckpointFile | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, CHECKPOINT_JSON), 'utf8')) as CheckpointFile;
  } catch {
    return null;
  }
}

/**
 * What to do about a damaged checkpoint: the latest one holds the run (start over, or restore it from a backup); the
 * best-epoch copy is a copy (remove it and the run goes on from the intact latest one, exporting its last weights).
 */
function repairAdvice(dir: string): string {
  return path.basename(dir).startsWith('best')
    ? `remove ${dir} to go on with the run's latest checkpoint (its best-epoch weights are lost; the export then takes the last)`
    : 'restore it from a backup, or train with --force to start the run over';
}

/** checkpoint.json of a checkpoint folder, or a UserError naming the file. */
function readCheckpointFile(dir: string): CheckpointFile {
  const file = path.join(dir, CHECKPOINT_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`checkpoint ${file} cannot be read: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UserError(`checkpoint ${file} is damaged (not valid JSON: ${errorMessage(err)}); ${repairAdvice(dir)}`);
  }
  const checked = parsed as Partial<CheckpointFile>;
  if (typeof parsed !== 'object' || parsed === null || typeof checked.state !== 'object' || checked.state === null || !Array.isArray(checked.specs)) {
    throw new UserError(`checkpoint ${file} is damaged (fields state and specs are missing); ${repairAdvice(dir)}`);
  }
  return parsed as CheckpointFile;
}

/**
 * The checkpoint folder of a slot to read, or null: the slot, or, if a swap was interrupted half-way, the most
 * advanced copy it moved aside (chosen the same way every time: see mostAdvanced).
 */
function findCheckpoint(runDir: string, slot: CheckpointSlot = LATEST): string | null {
  const dir = checkpointDir(runDir, slot);
  if (fs.existsSync(path.join(dir, CHECKPOINT_JSON))) return dir;
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) return null;
  const olds = fs.readdirSync(parent).filter((n) => n.startsWith(`${slot}${OLD_INFIX}`));
  return mostAdvanced(olds.map((n) => path.join(parent, n)));
}

export function hasCheckpoint(runDir: string, slot: CheckpointSlot = LATEST): boolean {
  return findCheckpoint(runDir, slot) !== null;
}

/** Reads the counters only (cheap): for messages and sweeps. A damaged checkpoint.json is a UserError naming it. */
export function readCheckpointState(runDir: string, slot: CheckpointSlot = LATEST): TrainState | null {
  const dir = findCheckpoint(runDir, slot);
  if (!dir) return null;
  return readCheckpointFile(dir).state;
}

/** The dataset fingerprint a run's latest checkpoint recorded (null: none, or a checkpoint of an earlier version). */
export function readCheckpointDataset(runDir: string): string | null {
  const dir = findCheckpoint(runDir);
  return dir ? (readCheckpointFile(dir).dataset_fingerprint ?? null) : null;
}

/**
 * Restores weights and optimizer state into freshly built models; returns the saved counters. Refuses a checkpoint
 * of another config, of other data, or whose weights.bin does not match its recorded checksum.
 */
export async function loadCheckpoint(
  runDir: string,
  target: CheckpointTarget,
  identity: CheckpointIdentity,
  slot: CheckpointSlot = LATEST,
): Promise<TrainState> {
  const dir = findCheckpoint(runDir, slot);
  if (!dir) throw new UserError(`no ${slot} checkpoint in ${runDir}`);
  const file = readCheckpointFile(dir);
  if (file.version !== CHECKPOINT_VERSION) {
    throw new UserError(`checkpoint ${dir} has format version ${file.version}; this sampgen reads version ${CHECKPOINT_VERSION}`);
  }
  if (file.config_hash !== identity.configHash && file.config_hash !== identity.legacyConfigHash) {
    throw new UserError(
      `checkpoint ${dir} was made with config ${file.config_hash}, but the config now resolves to ${identity.configHash}; ` +
        'resume with the same config and --set overrides, or start a new run',
    );
  }
  if (file.dataset_fingerprint !== undefined && file.dataset_fingerprint !== identity.datasetFingerprint) {
    throw new UserError(
      `checkpoint ${dir} was trained on dataset ${file.dataset_fingerprint}, but ${identity.datasetPath ?? 'data.path'} now holds ` +
        `dataset ${identity.datasetFingerprint} (preprocessed again with other files or parameters?); this run cannot continue ` +
        'on other data: point data.path at the original dataset, or train with --force to start the run over on the new one',
    );
  }
  const { tensors } = readCheckpointTensors(dir, file);
  try {
    for (const [name, model] of Object.entries(target.models)) {
      const count = file.models[name];
      if (count === undefined || count !== model.getWeights().length) {
        throw new UserError(`checkpoint ${dir} does not match the model '${name}' built from the config`);
      }
      model.setWeights(Array.from({ length: count }, (_, i) => tensors[`model/${name}/${i}`]!));
    }
    // The best slot holds model weights only (see saveBestWeights).
    for (const [name, opt] of slot === LATEST ? Object.entries(target.optimizers) : []) {
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

/** Decodes a checkpoint folder's weights.bin after checking its size and recorded sha256; returns the sha256 too. */
function readCheckpointTensors(dir: string, file: CheckpointFile): { tensors: tf.NamedTensorMap; sha256: string } {
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(weightsFile);
  } catch (err) {
    throw new UserError(`checkpoint weights ${weightsFile} cannot be read: ${errorMessage(err)}`);
  }
  const expectedBytes = file.specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (s.dtype === 'bool' ? 1 : 4), 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new UserError(`checkpoint weights ${weightsFile} have ${bytes.byteLength} bytes, but ${path.join(dir, CHECKPOINT_JSON)} describes ${expectedBytes}: the file is truncated or damaged`);
  }
  const sha256 = sha256Hex(bytes);
  if (file.weights_sha256 !== undefined && sha256 !== file.weights_sha256) {
    throw new UserError(`checkpoint weights ${weightsFile} do not match their recorded sha256 (the file is damaged); ${repairAdvice(dir)}`);
  }
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, file.specs);
  return { tensors, sha256 };
}

/**
 * The model weights of another run's checkpoint, whatever config made it (train.init_from): the `best` slot where
 * there is one (the weights that run exports by default), else `latest`; null when the run has no checkpoint.
 * Checked like loadCheckpoint's (size, sha256). The caller disposes the tensors.
 */
export function readCheckpointModelWeights(
  runDir: string,
): { dir: string; slot: CheckpointSlot; sha256: string; epoch: number; models: Record<string, tf.Tensor[]> } | null {
  const slot: CheckpointSlot = findCheckpoint(runDir, 'best') ? 'best' : LATEST;
  const dir = findCheckpoint(runDir, slot);
  if (!dir) return null;
  const file = readCheckpointFile(dir);
  if (file.version !== CHECKPOINT_VERSION) {
    throw new UserError(`checkpoint ${dir} has format version ${file.version}; this sampgen reads version ${CHECKPOINT_VERSION}`);
  }
  const { tensors, sha256 } = readCheckpointTensors(dir, file);
  const models: Record<string, tf.Tensor[]> = {};
  for (const [name, count] of Object.entries(file.models ?? {})) {
    models[name] = Array.from({ length: count }, (_, i) => tensors[`model/${name}/${i}`]!);
  }
  // Optimizer state is not wanted: a fine-tuning run starts its optimizer afresh.
  tf.dispose(Object.entries(tensors).filter(([key]) => !key.startsWith('model/')).map(([, t]) => t));
  return { dir, slot, sha256, epoch: file.state.best?.epoch ?? file.state.epoch, models };
}
