/**
 * The lock of a run folder, `<runDir>/.lock`, so that two workers that share the runs folder (a network file
 * system, an artifact store) and were started on the same entry do not train into the same folder.
 *
 * - Taking it is atomic: the lock's content is written to a private temp file first and then hard-linked to
 *   `.lock`; link() fails with EEXIST when the lock exists, so at most one worker succeeds, and the lock never
 *   appears half-written (the classic NFS-safe lock; open(O_EXCL) alone is not atomic on older NFS).
 * - The owner refreshes `heartbeat` every few seconds from a worker thread, so a long synchronous training step
 *   on the main thread cannot starve it (timers on the main thread would not fire until the epoch ends).
 * - A lock whose heartbeat is older than `staleAfter` (by the reader's clock: keep clocks in sync, e.g. NTP), or
 *   whose owner is a process on this host that no longer exists, is stale. So is one whose heartbeat lies further in
 *   the future than clocks in sync can explain (CLOCK_SKEW_SECONDS), which would otherwise never grow old, and a lock
 *   file that is not a sampgen lock at all (garbage, another tool's): sampgen writes its locks whole (link, rename),
 *   so a lock it cannot read was not written by a live sampgen. Taking over is atomic too: the stale
 *   lock is renamed aside (only one racing worker's rename succeeds), checked again, removed, and a new lock is
 *   linked in as above.
 * - A heartbeat that finds someone else's token in the lock means this worker was taken over (it stalled longer
 *   than staleAfter): it reports `lost`, and the sweep stops that run.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { errorMessage } from '../errors';
import { clip } from '../util/clip';
import { ensureOutputDir } from '../util/output-dir';

export const LOCK_FILE = '.lock';
export const LOCK_VERSION = 1;

/**
 * How far in the future (by the reader's clock) a heartbeat may lie and still count as fresh: the clocks of hosts that
 * share a runs folder differ by this much at most when kept in sync. Beyond it the lock is stale (a heartbeat in 2099
 * used to block its run forever, "last heartbeat -2274736770 s ago").
 */
export const CLOCK_SKEW_SECONDS = 60;

export interface LockOwner {
  version: number;
  host: string;
  pid: number;
  /** Random: tells this holder apart from any other, even with the same host and pid. */
  token: string;
  /** ISO times. */
  started: string;
  heartbeat: string;
  /** What the holder is doing (e.g. the sweep entry), for messages. */
  label?: string;
}

export interface LockOptions {
  /** Seconds without a heartbeat after which the lock may be taken over. */
  staleAfterSeconds: number;
  /** Seconds between heartbeats (default: a quarter of staleAfterSeconds, at most 30). */
  heartbeatSeconds?: number;
  label?: string;
  /** For tests: the clock. */
  now?: () => number;
}

export interface HeldLock {
  readonly file: string;
  readonly owner: LockOwner;
  /** Whether the stale lock of another holder was taken over to get this one (null also for an unreadable lock). */
  readonly tookOver: LockOwner | null;
  /** Why the lock that was there was stale (an unreadable lock included), or null if there was none. */
  readonly tookOverBecause: string | null;
  /** True once a heartbeat found another holder's token: this process no longer owns the run. Readable at any time. */
  readonly lost: boolean;
  /** Stops the heartbeat and removes the lock if it is still this holder's. */
  release(): Promise<void>;
}

export type AcquireResult = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockOwner; ageSeconds: number };

export function lockPath(runDir: string): string {
  return path.join(runDir, LOCK_FILE);
}

/** The lock's content, or null if there is none (or it cannot be read as a lock). */
export function readLock(runDir: string): LockOwner | null {
  const found = inspectLock(lockPath(runDir));
  return found.kind === 'lock' ? found.owner : null;
}

/** What a lock file holds: nothing (no file), a lock, or something else (with what is wrong with it). */
export type LockContent = { kind: 'missing' } | { kind: 'lock'; owner: LockOwner } | { kind: 'garbage'; why: string };

/** Reads and checks a lock file (at most 64 KiB of it: a lock is a few hundred bytes). */
export function inspectLock(file: string): LockContent {
  let text: string;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      text = buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'garbage', why: `it cannot be read (${code ?? errorMessage(err)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'garbage', why: text.trim() === '' ? 'it is empty' : `it is not JSON (${clip(text.trim(), 40)})` };
  }
  const o = parsed as Partial<LockOwner> | null;
  const missing =
    typeof o !== 'object' || o === null || Array.isArray(o)
      ? 'it is not a JSON object'
      : typeof o.token !== 'string'
        ? 'it has no token'
        : typeof o.heartbeat !== 'string'
          ? 'it has no heartbeat'
          : typeof o.host !== 'string'
            ? 'it has no host'
            : !Number.isInteger(o.pid)
              ? 'it has no pid'
              : null;
  return missing ? { kind: 'garbage', why: missing } : { kind: 'lock', owner: o as LockOwner };
}

/** Why a lock is stale, or null if its holder looks alive. */
export function staleReason(owner: LockOwner, staleAfterSeconds: number, now = Date.now()): string | null {
  const age = (now - Date.parse(owner.heartbeat)) / 1000;
  if (!Number.isFinite(age)) return `its heartbeat time ${clip(String(owner.heartbeat), 40)} cannot be read`;
  if (age > staleAfterSeconds) return `no heartbeat for ${Math.round(age)} s (stale after ${staleAfterSeconds} s)`;
  if (-age > CLOCK_SKEW_SECONDS) {
    return `its heartbeat ${owner.heartbeat} lies ${Math.round(-age)} s in the future, more than clocks in sync differ (${CLOCK_SKEW_SECONDS} s)`;
  }
  if (owner.host === os.hostname() && owner.pid !== process.pid && !processExists(owner.pid)) {
    return `its process ${owner.pid} on this host (${owner.host}) no longer exists`;
  }
  return null;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Tries to take the lock of `runDir` (created if missing); never waits. */
export function tryAcquireLock(runDir: string, opts: LockOptions): AcquireResult {
  ensureOutputDir(runDir, 'run folder'); // /proc, a file in the way or an unwritable folder: a UserError, not a hang
  const now = opts.now ?? Date.now;
  const file = lockPath(runDir);
  const stamp = new Date(now()).toISOString();
  const owner: LockOwner = {
    version: LOCK_VERSION,
    host: os.hostname(),
    pid: process.pid,
    token: randomBytes(12).toString('hex'),
    started: stamp,
    heartbeat: stamp,
    ...(opts.label ? { label: opts.label } : {}),
  };
  const ageOf = (holder: LockOwner) => Math.max(0, (now() - Date.parse(holder.heartbeat)) / 1000);
  const staleBecause = (found: LockContent): string | null =>
    found.kind === 'garbage'
      ? `the lock file is not a sampgen lock: ${found.why}`
      : found.kind === 'lock'
        ? staleReason(found.owner, opts.staleAfterSeconds, now())
        : null;
  let previous: Takeover = { tookOver: null, tookOverBecause: null };
  // Two rounds: create; if a stale lock is in the way, move it aside and create again.
  for (let round = 0; round < 2; round++) {
    if (linkNew(file, owner)) return { acquired: true, lock: startHeartbeat(file, owner, previous, opts) };
    const found = inspectLock(file);
    if (found.kind === 'missing') continue; // released between our link and our read: try again
    if (found.kind === 'lock' && staleBecause(found) === null) return { acquired: false, holder: found.owner, ageSeconds: ageOf(found.owner) };
    const aside = `${file}.stale-${owner.token}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // another worker moved it first; the next round sees whoever holds it now
    }
    const moved = inspectLock(aside);
    const why = staleBecause(moved);
    if (moved.kind === 'lock' && why === null) {
      // Between our read and our rename, a new holder linked its lock (or the old one beat again): it is alive,
      // so put it back untouched.
      try {
        fs.linkSync(aside, file);
      } catch {
        /* a third worker is there now; the next round reports it */
      }
      fs.rmSync(aside, { force: true });
      continue;
    }
    previous = { tookOver: moved.kind === 'lock' ? moved.owner : null, tookOverBecause: why ?? staleBecause(found) };
    fs.rmSync(aside, { force: true });
  }
  // Two rounds lost to other workers: report whoever holds it now.
  const last = inspectLock(file);
  if (last.kind === 'lock') return { acquired: false, holder: last.owner, ageSeconds: ageOf(last.owner) };
  const holder = unknownHolder(file);
  return { acquired: false, holder, ageSeconds: ageOf(holder) };
}

/** What a holder found in the way when it took the lock. */
interface Takeover {
  tookOver: LockOwner | null;
  tookOverBecause: string | null;
}

/**
 * The log line for a lock that was taken over, or null when there was nothing to take over, e.g. "took over the lock
 * of runs/x (host b pid 12): no heartbeat for 700 s (stale after 600 s)" or "took over the lock of runs/x: the lock
 * file is not a sampgen lock: it is not JSON (garbage)".
 */
export function describeTakeover(lock: HeldLock, runDir: string): string | null {
  if (lock.tookOverBecause === null) return null;
  const who = lock.tookOver ? ` (${lock.tookOver.host} pid ${lock.tookOver.pid})` : '';
  return `took over the lock of ${runDir}${who}: ${lock.tookOverBecause}`;
}

function linkNew(file: string, owner: LockOwner): boolean {
  const tmp = `${file}.tmp-${owner.token}`;
  fs.writeFileSync(tmp, JSON.stringify(owner, null, 2) + '\n');
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readMoved(file: string): LockOwner | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function unknownHolder(file: string): LockOwner {
  let mtime = Date.now();
  try {
    mtime = fs.statSync(file).mtimeMs;
  } catch {
    /* gone */
  }
  const t = new Date(mtime).toISOString();
  return { version: LOCK_VERSION, host: '?', pid: 0, token: '?', started: t, heartbeat: t };
}

/**
 * The heartbeat runs in a worker thread (see the file comment). Its code is inline JavaScript so that it runs
 * the same from the TypeScript sources (tests) and from dist/; it only reads and rewrites one small JSON file.
 */
const HEARTBEAT_SOURCE = `
const fs = require('fs');
const { workerData } = require('worker_threads');
const { file, token, intervalMs, lostFlag } = workerData;
const lost = new Int32Array(lostFlag);
const beat = () => {
  let owner;
  try { owner = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e) { owner = null; }
  if (!owner || owner.token !== token) { Atomics.store(lost, 0, 1); clearInterval(timer); return; }
  owner.heartbeat = new Date().toISOString();
  const tmp = file + '.hb-' + token;
  try { fs.writeFileSync(tmp, JSON.stringify(owner, null, 2) + '\\n'); fs.renameSync(tmp, file); }
  catch (e) { try { fs.rmSync(tmp, { force: true }); } catch (e2) {} }
};
const timer = setInterval(beat, intervalMs);
`;

function startHeartbeat(file: string, owner: LockOwner, previous: Takeover, opts: LockOptions): HeldLock {
  const seconds = opts.heartbeatSeconds ?? Math.min(30, opts.staleAfterSeconds / 4);
  // Shared memory, not a message: a message waits for the main thread's event loop, which a long synchronous
  // training step keeps busy; the flag can be read between any two batches.
  const lostFlag = new SharedArrayBuffer(4);
  const lostView = new Int32Array(lostFlag);
  const worker = new Worker(HEARTBEAT_SOURCE, {
    eval: true,
    workerData: { file, token: owner.token, intervalMs: Math.max(10, seconds * 1000), lostFlag },
  });
  worker.unref(); // a forgotten lock must not keep the process alive
  let released = false;
  worker.on('error', () => {
    /* a heartbeat that cannot run makes the lock go stale: others may take over, which is the safe outcome */
  });
  return {
    file,
    owner,
    tookOver: previous.tookOver,
    tookOverBecause: previous.tookOverBecause,
    get lost() {
      return !released && Atomics.load(lostView, 0) === 1;
    },
    async release() {
      if (released) return;
      released = true;
      await worker.terminate();
      const current = readMoved(file);
      if (current && current.token === owner.token) fs.rmSync(file, { force: true });
    },
  };
}
