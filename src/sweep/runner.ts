/**
 * Runs the selected entries of a sweep plan one after another, each as a self-contained, resumable unit:
 *   done.json in the run folder  → skipped (finished earlier, here or on another machine);
 *   lock held by a live worker   → skipped (that worker is on it);
 *   a checkpoint                 → resumed where it stopped;
 *   an error                     → failed.json with the message, and on to the next entry.
 * A failed entry is tried again by the next sweep run (a failure may be transient: a lost mount, an OOM on a
 * busy GPU); done.json is written only for completed runs, and removes any earlier failed.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datasetFingerprint, readDatasetInfo } from '../data';
import { errorMessage, isRuntimeFailure, isUserError } from '../errors';
import { Progress, silentProgress } from '../progress';
import { hasCheckpoint } from '../train/checkpoint';
import { RunTakenOver, TrainOptions, TrainResult, trainModel } from '../train/run';
import { DEFAULT_STALE_AFTER_SECONDS, DONE_FILE, FAILED_FILE } from '../train/run-folder';
import { ensureSmokeDataset } from '../train/smoke';
import { StopFlag, newStopFlag } from '../train/stop';
import { writeFileAtomic } from '../util/atomic';
import { describeTakeover, tryAcquireLock } from './lock';
import { PlanEntry, SweepPlan } from './plan';

export { DONE_FILE, FAILED_FILE, DEFAULT_STALE_AFTER_SECONDS };
export const MARKER_VERSION = 1;

export type EntryStatus = 'completed' | 'already-done' | 'locked' | 'failed' | 'interrupted';

export interface EntryOutcome {
  index: number;
  name: string;
  hash: string;
  runDir: string;
  status: EntryStatus;
  /** Whether training continued from a checkpoint. */
  resumed?: boolean;
  /** failed: the error; locked: who holds the lock. */
  message?: string;
  result?: TrainResult;
}

export interface SweepRunOptions {
  plan: SweepPlan;
  /** Entry indices to run, in order (see select.ts). */
  indices: readonly number[];
  staleAfterSeconds?: number;
  heartbeatSeconds?: number;
  backend?: TrainOptions['backend'];
  progress?: Progress;
  /** Set to stop: the running entry checkpoints and the sweep ends (its lock is released). */
  stop?: StopFlag;
  export?: boolean;
  /** The training function (tests substitute one that fails). */
  train?: (opts: TrainOptions) => Promise<TrainResult>;
}

export interface SweepRunSummary {
  outcomes: EntryOutcome[];
  counts: Record<EntryStatus, number>;
  /** Entries not reached because the sweep was stopped. */
  notStarted: number[];
}

export interface DoneMarker {
  version: number;
  status: 'completed';
  name: string;
  config_hash: string;
  config: string;
  sets: string[];
  epochs: number;
  steps: number;
  final: Record<string, number | null>;
  wall_s: number;
  samples_per_s: number;
  backend: string;
  model: string | null;
  /** The fingerprint of the dataset the run trained on (absent in markers of earlier versions). */
  dataset_fingerprint?: string;
  host: string;
  finished: string;
}

export interface FailedMarker {
  version: number;
  status: 'failed';
  name: string;
  config_hash: string;
  /** user: a mistake to fix (bad config or dataset); runtime: e.g. a diverged loss; error: anything else. */
  kind: 'user' | 'runtime' | 'error';
  error: string;
  host: string;
  failed: string;
  /** How many times this entry has failed so far. */
  attempts: number;
}

const LOST = 'another worker took over the lock (this one had stalled past --stale-after); it continues the run';

export function readMarker<T>(runDir: string, file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, file), 'utf8')) as T;
  } catch {
    return null;
  }
}

export async function runSweep(opts: SweepRunOptions): Promise<SweepRunSummary> {
  const progress = opts.progress ?? silentProgress;
  const stop = opts.stop ?? newStopFlag();
  const outcomes: EntryOutcome[] = [];
  const notStarted: number[] = [];
  const byIndex = new Map(opts.plan.entries.map((e) => [e.index, e]));
  for (const index of opts.indices) {
    const entry = byIndex.get(index);
    if (!entry) throw new Error(`sweep entry ${index} is not in the plan`);
    if (stop.requested) {
      notStarted.push(index);
      continue;
    }
    const outcome = await runEntry(entry, opts, progress, stop);
    outcomes.push(outcome);
    progress.log(describeOutcome(outcome));
  }
  const counts: Record<EntryStatus, number> = { completed: 0, 'already-done': 0, locked: 0, failed: 0, interrupted: 0 };
  for (const o of outcomes) counts[o.status]++;
  return { outcomes, counts, notStarted };
}

/**
 * Whether a finished entry still stands: done.json describes a run on one dataset; if the entry's data.path now
 * holds other data (preprocessed again), skipping the entry as done would report results of other data. Returns
 * the message for that case, or null.
 */
function doneOnOtherData(entry: PlanEntry, done: DoneMarker): string | null {
  if (!done.dataset_fingerprint) return null;
  let now: string;
  try {
    now = datasetFingerprint(readDatasetInfo(entry.loaded.config.data.path));
  } catch {
    return null; // no dataset at all: nothing would be trained either; report the run as done
  }
  if (now === done.dataset_fingerprint) return null;
  return (
    `${entry.runDir} finished on dataset ${done.dataset_fingerprint}, but ${entry.loaded.config.data.path} now holds dataset ${now}; ` +
    'its results are not results on the current data: move the run folder and its model folder away (or point data.path at ' +
    'the original dataset) and run the sweep again'
  );
}

async function runEntry(entry: PlanEntry, opts: SweepRunOptions, progress: Progress, stop: StopFlag): Promise<EntryOutcome> {
  const base = { index: entry.index, name: entry.name, hash: entry.hash, runDir: entry.runDir };
  const done = readMarker<DoneMarker>(entry.runDir, DONE_FILE);
  if (done) {
    const stale = opts.plan.smoke ? null : doneOnOtherData(entry, done);
    if (stale) return { ...base, status: 'failed', message: stale };
    // Smoke runs fix batch size, epochs and data: entries that differ only there are one smoke run. Say so.
    const twin = opts.plan.smoke ? opts.plan.entries.find((e) => e.runDir === entry.runDir && e.index < entry.index) : undefined;
    return { ...base, status: 'already-done', ...(twin ? { message: `the same smoke run as entry ${twin.index} (a smoke run fixes batch size, epochs and data)` } : {}) };
  }
  const staleAfterSeconds = opts.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS;
  const got = tryAcquireLock(entry.runDir, {
    staleAfterSeconds,
    heartbeatSeconds: opts.heartbeatSeconds,
    label: `sweep entry ${entry.index} (${entry.name}-${entry.hash})`,
  });
  if (!got.acquired) {
    const h = got.holder;
    return { ...base, status: 'locked', message: `locked by ${h.host} pid ${h.pid} (last heartbeat ${Math.round(got.ageSeconds)} s ago)` };
  }
  const lock = got.lock;
  try {
    const takeover = describeTakeover(lock, entry.runDir);
    if (takeover) progress.log(`entry ${entry.index}: ${takeover}`);
    // Checked again under the lock: another worker may have finished it between our first look and now.
    if (readMarker<DoneMarker>(entry.runDir, DONE_FILE)) return { ...base, status: 'already-done' };
    const resume = hasCheckpoint(entry.runDir);
    progress.log(`entry ${entry.index}: ${resume ? 'resuming' : 'training'} ${entry.name}-${entry.hash} (${entry.config}${entry.axes.length ? `, ${entry.axes.join(', ')}` : ''})`);
    try {
      if (opts.plan.smoke) ensureSmokeDataset(entry.loaded.config.data.path, entry.loaded.config.model.length);
      const train = opts.train ?? trainModel;
      // Training checks the lock between batches: a worker that judged this one stale and took the lock over is
      // training in this folder now, and this one then stops at once without writing (RunTakenOver).
      const result = await train({ loaded: entry.loaded, resume, backend: opts.backend, progress, stop, export: opts.export, lock });
      if (lock.lost) return { ...base, status: 'interrupted', resumed: resume, message: LOST };
      if (result.status !== 'completed') {
        return { ...base, status: 'interrupted', resumed: resume, result, message: stop.reason ?? 'stopped' };
      }
      writeDone(entry, result);
      return { ...base, status: 'completed', resumed: resume, result };
    } catch (err) {
      if (err instanceof RunTakenOver || lock.lost) return { ...base, status: 'interrupted', resumed: resume, message: LOST };
      const message = errorMessage(err);
      writeFailed(entry, err);
      return { ...base, status: 'failed', resumed: resume, message };
    }
  } finally {
    await lock.release();
  }
}

function writeDone(entry: PlanEntry, result: TrainResult): void {
  const marker: DoneMarker = {
    version: MARKER_VERSION,
    status: 'completed',
    name: entry.name,
    config_hash: entry.hash,
    config: entry.config,
    sets: entry.sets,
    epochs: result.epochs,
    steps: result.steps,
    final: result.final,
    wall_s: result.wallSeconds,
    samples_per_s: result.samplesPerSecond,
    backend: result.backend,
    model: result.modelDir,
    dataset_fingerprint: result.dataset,
    host: os.hostname(),
    finished: new Date().toISOString(),
  };
  writeFileAtomic(path.join(entry.runDir, DONE_FILE), JSON.stringify(marker, null, 2) + '\n');
  fs.rmSync(path.join(entry.runDir, FAILED_FILE), { force: true });
}

function writeFailed(entry: PlanEntry, err: unknown): void {
  const previous = readMarker<FailedMarker>(entry.runDir, FAILED_FILE);
  const marker: FailedMarker = {
    version: MARKER_VERSION,
    status: 'failed',
    name: entry.name,
    config_hash: entry.hash,
    kind: isUserError(err) ? 'user' : isRuntimeFailure(err) ? 'runtime' : 'error',
    error: errorMessage(err),
    host: os.hostname(),
    failed: new Date().toISOString(),
    attempts: (previous?.attempts ?? 0) + 1,
  };
  fs.mkdirSync(entry.runDir, { recursive: true });
  writeFileAtomic(path.join(entry.runDir, FAILED_FILE), JSON.stringify(marker, null, 2) + '\n');
}

export function describeOutcome(o: EntryOutcome): string {
  const id = `entry ${o.index} ${o.name}-${o.hash}`;
  switch (o.status) {
    case 'completed': {
      const f = o.result?.final ?? {};
      const losses = [f.loss != null ? `loss ${fmt(f.loss)}` : null, f.val_loss != null ? `val_loss ${fmt(f.val_loss)}` : null].filter(Boolean).join(', ');
      return `${id}: completed${o.resumed ? ' (resumed)' : ''}${losses ? `, ${losses}` : ''}`;
    }
    case 'already-done':
      return `${id}: ${o.message ?? 'already done'}, skipped`;
    case 'locked':
      return `${id}: skipped, ${o.message}`;
    case 'failed':
      return `${id}: FAILED: ${o.message}`;
    case 'interrupted':
      return o.message === LOST ? `${id}: stopped: ${LOST}` : `${id}: interrupted (${o.message ?? 'stopped'}); checkpoint kept, the next sweep run resumes it`;
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(5) : String(x);
}
