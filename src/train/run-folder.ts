/**
 * Where a run lives and what it may touch:
 *   <output.runs>/<name>-<hash>/     the run folder (config.yaml, log.jsonl, checkpoints/, tb/, .lock);
 *   <output.models>/<name>-<hash>/   the run's exported model: one folder per run, so runs never overwrite each other;
 *   <output.models>/<name>           a symbolic link to the model of the run of that name exported last, for the
 *                                    common case of one run per config (`generate models/ae-small-tanh`).
 * Every process that trains into a run folder holds its lock (sweep/lock.ts) for as long as it writes there.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LoadedConfig, runFolderName } from '../config';
import { UserError, errorMessage } from '../errors';
import { describeTakeover, HeldLock, tryAcquireLock } from '../sweep/lock';

/** Files a sweep leaves in a run folder to say how the run ended (sweep/runner.ts); a fresh start removes them. */
export const DONE_FILE = 'done.json';
export const FAILED_FILE = 'failed.json';
export const RUN_MARKERS = [DONE_FILE, FAILED_FILE] as const;

/** Seconds without a heartbeat after which another process may take a run's lock over (sweeps can set it). */
export const DEFAULT_STALE_AFTER_SECONDS = 600;

/**
 * The run folder of a config. Runs made by sampgen versions that hashed `train.epochs` (see legacyHashedView) live
 * under their old hash: when only that folder exists, it is the run, so upgrading never orphans a run.
 */
export function runDirFor(loaded: LoadedConfig): string {
  const current = path.join(loaded.config.output.runs, runFolderName(loaded));
  if (loaded.legacyFullHash && !fs.existsSync(current)) {
    const legacy = path.join(loaded.config.output.runs, `${loaded.config.name}-${loaded.legacyFullHash.slice(0, 8)}`);
    if (fs.existsSync(path.join(legacy, 'config.yaml'))) return legacy;
  }
  return current;
}

/** The run's own model folder: `<output.models>/<run folder name>`. */
export function modelDirFor(loaded: LoadedConfig, runDir = runDirFor(loaded)): string {
  return path.join(loaded.config.output.models, path.basename(runDir));
}

/** The stable name `<output.models>/<name>` (a link to the latest export of a run of that name). */
export function modelAliasFor(loaded: LoadedConfig): string {
  return path.join(loaded.config.output.models, loaded.config.name);
}

/**
 * Takes the run folder's lock for this process, or refuses with a message naming who holds it. A lock whose holder
 * is gone (no heartbeat for `staleAfterSeconds`, or a dead process on this host) is taken over, with a log line.
 */
export function lockRunFolder(runDir: string, opts: { label: string; staleAfterSeconds?: number; heartbeatSeconds?: number; log: (m: string) => void }): HeldLock {
  const got = tryAcquireLock(runDir, {
    staleAfterSeconds: opts.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS,
    heartbeatSeconds: opts.heartbeatSeconds,
    label: opts.label,
  });
  if (!got.acquired) {
    const h = got.holder;
    throw new UserError(
      `${runDir} is being trained by another process (${h.label ?? 'sampgen'}, ${h.host} pid ${h.pid}, last heartbeat ` +
        `${Math.round(got.ageSeconds)} s ago); two processes must not write one run: wait for it to finish or stop it`,
    );
  }
  const takeover = describeTakeover(got.lock, runDir);
  if (takeover) opts.log(takeover);
  return got.lock;
}

/**
 * Points `<output.models>/<name>` at the model folder just written (atomically: a new link renamed over the old).
 * A real folder or file already at that name (an export of an earlier sampgen, or the user's own) is left alone
 * unless `force`, with a message; so is a link that something else than sampgen made to outside the models folder.
 * Returns the alias when it now points at `modelDir`.
 */
export function linkModelAlias(alias: string, modelDir: string, opts: { force?: boolean; log: (m: string) => void }): string | null {
  const target = path.basename(modelDir);
  if (path.resolve(path.dirname(alias)) !== path.resolve(path.dirname(modelDir)) || path.basename(alias) === target) return null;
  let existing: fs.Stats | null = null;
  try {
    existing = fs.lstatSync(alias);
  } catch {
    existing = null;
  }
  if (existing && !existing.isSymbolicLink()) {
    if (!opts.force) {
      opts.log(
        `${alias} is a ${existing.isDirectory() ? 'model folder of an earlier export' : 'file'}, not a link: left as it is ` +
          `(this run's model is ${modelDir}; train with --force to replace it by a link to the latest run's model)`,
      );
      return null;
    }
    fs.rmSync(alias, { recursive: true, force: true });
  }
  const tmp = `${alias}.sampgen-link-${process.pid}`;
  try {
    fs.rmSync(tmp, { force: true });
    fs.symlinkSync(target, tmp, 'dir');
    fs.renameSync(tmp, alias);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    opts.log(`could not link ${alias} to ${modelDir}: ${errorMessage(err)}`);
    return null;
  }
  return alias;
}

/**
 * Refuses (unless `force`) to replace a model folder that holds an export of this run's name and hash trained on
 * other data: a run folder moved away and trained again after the dataset was preprocessed anew would otherwise
 * overwrite the only copy of the first model without a word. Checked before training and again before the export.
 */
export function assertModelDirIsThisRuns(modelDir: string, datasetFingerprint: string, force: boolean | undefined): void {
  if (force) return;
  let previous: { run?: { dataset_fingerprint?: string; folder?: string } };
  try {
    previous = JSON.parse(fs.readFileSync(path.join(modelDir, 'sampgen.json'), 'utf8')) as typeof previous;
  } catch {
    return; // nothing exported there yet (or not a model folder: writing it will say so)
  }
  const theirs = previous.run?.dataset_fingerprint;
  if (theirs !== undefined && theirs !== datasetFingerprint) {
    throw new UserError(
      `${modelDir} holds a model of this config trained on dataset ${theirs}, but this run trains on dataset ${datasetFingerprint}: ` +
        'exporting would replace it; move that model folder away (or give output.models another folder), or use --force to replace it',
    );
  }
}
