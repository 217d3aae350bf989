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
 *   whose owner is a process on this host that no longer exists, is stale. Taking over is atomic too: the stale
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
import { ensureOutputDir } from '../util/output-dir';

export const LOCK_FILE = '.lock';
export const LOCK_VERSION = 1;

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
  /** Whether the stale lock of another holder was taken over to get this one. */
  readonly tookOver: LockOwner | null;
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
  try {
    const owner = JSON.parse(fs.readFileSync(lockPath(runDir), 'utf8')) as LockOwner;
    return typeof owner.token === 'string' && typeof owner.heartbeat === 'string' ? owner : null;
  } catch {
    return null;
  }
}

/** Why a lock is stale, or null if its holder looks alive. */
export function staleReason(owner: LockOwner, staleAfterSeconds: number, now = Date.now()): string | null {
  const age = (now - Date.parse(owner.heartbeat)) / 1000;
  if (!Number.isFinite(age)) return 'its heartbeat time cannot be read';
  if (age > staleAfterSeconds) return `no heartbeat for ${Math.round(age)} s (stale after ${staleAfterSeconds} s)`;
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
  let tookOver: LockOwner | null = null;
  // Two rounds: create; if a stale lock is in the way, move it aside and create again.
  for (let round = 0; round < 2; round++) {
    if (linkNew(file, owner)) return { acquired: true, lock: startHeartbeat(file, owner, tookOver, opts) };
    const holder = readLock(runDir);
    if (!holder) {
      // Unreadable or vanished between link and read: an unreadable lock is judged by its file's age.
      const age = fileAgeSeconds(file, now());
      if (age === null) continue; // gone: try again
      if (age <= opts.staleAfterSeconds) return { acquired: false, holder: unknownHolder(file), ageSeconds: age };
    } else if (!staleReason(holder, opts.staleAfterSeconds, now())) {
      return { acquired: false, holder, ageSeconds: (now() - Date.parse(holder.heartbeat)) / 1000 };
    }
    const aside = `${file}.stale-${owner.token}`;
    try {
      fs.renameSync(file, aside);
    } catch {
      continue; // another worker moved it first; the next round sees whoever holds it now
    }
    const moved = readMoved(aside);
    if (moved && !staleReason(moved, opts.staleAfterSeconds, now())) {
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
    tookOver = moved ?? holder;
    fs.rmSync(aside, { force: true });
  }
  const holder = readLock(runDir) ?? unknownHolder(file);
  return { acquired: false, holder, ageSeconds: (now() - Date.parse(holder.heartbeat)) / 1000 };
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

function fileAgeSeconds(file: string, now: number): number | null {
  try {
    return (now - fs.statSync(file).mtimeMs) / 1000;
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

function startHeartbeat(file: string, owner: LockOwner, tookOver: LockOwner | null, opts: LockOptions): HeldLock {
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
    tookOver,
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
