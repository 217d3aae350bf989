/**
 * Reading run folders for the report: the saved config, log.jsonl, the checkpoint's counters, the sweep's
 * done.json / failed.json, the lock, and the exported model's sampgen.json (for runs trained with plain
 * `sampgen train`, which writes no done.json).
 */
import * as fs from 'fs';
import * as path from 'path';
import { hashedView, LoadedConfig, loadConfig } from '../config';
import { errorMessage } from '../errors';
import { readCheckpointDataset, readCheckpointState } from '../train/checkpoint';
import { EpochRecord, readLog } from '../train/log';
import { modelDirFor } from '../train/run';
import { DONE_FILE, DoneMarker, FAILED_FILE, FailedMarker, readLock, readMarker, staleReason, DEFAULT_STALE_AFTER_SECONDS } from '../sweep';

export type RunStatus = 'completed' | 'failed' | 'running' | 'incomplete' | 'not started';

export type CellValue = string | number | boolean | null;

/** The samples a metric rests on (evaluate's metrics.json `counts`). */
export interface MetricCount {
  n_real?: number;
  n_generated?: number;
}

export interface RunRecord {
  dir: string;
  /** The run folder's name, `<name>-<hash>`. */
  folder: string;
  name: string;
  hash: string;
  modelType: string;
  loaded: LoadedConfig;
  /** The result-relevant config (src/config hashedView), flattened to dotted keys. */
  flat: Record<string, CellValue>;
  status: RunStatus;
  /** failed: the error. */
  error?: string;
  epochs: number | null;
  steps: number | null;
  /** The last epoch's record: loss, val_loss and any model-specific losses. */
  final: Record<string, number | null>;
  wallSeconds: number | null;
  samplesPerSecond: number | null;
  backend: string | null;
  log: EpochRecord[];
  /** The best validated epoch and its selection loss (the checkpoint's record), if any. */
  best: { epoch: number; val_loss: number } | null;
  /** Whether early stopping ended the run, at which epoch. */
  stoppedEarly: number | null;
  /** The fingerprint of the dataset the run trained on (see data/fingerprint.ts), where recorded. */
  dataset: string | null;
  /** Evaluation metrics matched to this run (see metrics.ts). */
  metrics: Record<string, number>;
  /** How many real and generated samples each of those metrics rests on, where metrics.json says. */
  metricCounts: Record<string, MetricCount>;
}

/**
 * The run folders under `roots`: a root that is itself a run folder (holds config.yaml), else its direct
 * subfolders that are, sorted by name. Hidden folders (.smoke) are not entered, so smoke runs stay out of a
 * report of real runs unless their folder is given.
 */
export function findRunFolders(roots: readonly string[]): { dirs: string[]; missing: string[] } {
  const dirs: string[] = [];
  const missing: string[] = [];
  for (const root of roots) {
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
      missing.push(root);
      continue;
    }
    if (isRunFolder(root)) {
      dirs.push(root);
      continue;
    }
    for (const name of fs.readdirSync(root).sort()) {
      if (name.startsWith('.')) continue;
      const dir = path.join(root, name);
      if (isRunFolder(dir)) dirs.push(dir);
    }
  }
  const seen = new Set<string>();
  return { dirs: dirs.filter((d) => (seen.has(path.resolve(d)) ? false : (seen.add(path.resolve(d)), true))), missing };
}

function isRunFolder(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory() && fs.existsSync(path.join(dir, 'config.yaml'));
  } catch {
    return false;
  }
}

/** Reads one run folder; a config that no longer loads is an error naming the folder (the caller warns). */
export function readRun(dir: string): RunRecord {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(path.join(dir, 'config.yaml'));
  } catch (err) {
    throw new Error(`${dir}: its config.yaml does not load: ${errorMessage(err)}`);
  }
  const { config } = loaded;
  const log = readLog(dir);
  const last = log.at(-1);
  const final: Record<string, number | null> = {};
  if (last) for (const [k, v] of Object.entries(last)) if ((typeof v === 'number' || v === null) && !['epoch', 'step', 'lr', 'wall_s', 'samples_per_s'].includes(k)) final[k] = v;
  const done = readMarker<DoneMarker>(dir, DONE_FILE);
  const failed = readMarker<FailedMarker>(dir, FAILED_FILE);
  const state = readCheckpointState(dir);
  const lock = readLock(dir);
  const exported = readExportedTraining(loaded, dir);

  let status: RunStatus;
  if (done) status = 'completed';
  else if (lock && !staleReason(lock, DEFAULT_STALE_AFTER_SECONDS)) status = 'running';
  else if (failed) status = 'failed';
  else if (state && (state.finished || state.epoch >= config.train.epochs || (config.train.max_steps != null && state.step >= config.train.max_steps))) status = 'completed';
  else status = state || log.length > 0 ? 'incomplete' : 'not started';

  return {
    dir,
    folder: path.basename(dir),
    name: config.name,
    hash: loaded.hash,
    modelType: config.model.type,
    loaded,
    flat: flatten(hashedView(config)),
    status,
    ...(status === 'failed' && failed ? { error: failed.error } : {}),
    epochs: done?.epochs ?? state?.epoch ?? last?.epoch ?? null,
    steps: done?.steps ?? state?.step ?? last?.step ?? null,
    final,
    wallSeconds: done?.wall_s ?? state?.wallSeconds ?? last?.wall_s ?? null,
    samplesPerSecond: done?.samples_per_s ?? last?.samples_per_s ?? null,
    backend: done?.backend ?? exported?.backend ?? null,
    log,
    best: state?.best ?? null,
    stoppedEarly: state?.finished?.epoch ?? null,
    dataset: done?.dataset_fingerprint ?? readCheckpointDataset(dir),
    metrics: {},
    metricCounts: {},
  };
}

/** The training facts in the exported model's sampgen.json, when it was exported from this very config. */
function readExportedTraining(loaded: LoadedConfig, runDir: string): { backend?: string } | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(modelDirFor(loaded, runDir), 'sampgen.json'), 'utf8')) as {
      config_hash?: string;
      training?: { backend?: string };
    };
    return meta.config_hash === loaded.hash ? (meta.training ?? null) : null;
  } catch {
    return null;
  }
}

/** {model: {size: 'small'}} → {'model.size': 'small'}; lists become their JSON text (one cell each). */
export function flatten(value: Record<string, unknown>, prefix = ''): Record<string, CellValue> {
  const out: Record<string, CellValue> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else if (Array.isArray(v)) out[key] = JSON.stringify(v);
    else out[key] = v as CellValue;
  }
  return out;
}
