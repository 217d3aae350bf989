import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { PACKAGE_ROOT } from '../version';
import { FileJob, FileResult, processFile } from './pipeline';
import { WORKER_MARKER, WorkerFailure } from './worker';

/**
 * The main thread's error for a worker's failure: a system error (a full disk while writing a WAV) comes back as an
 * Error with the same code, syscall and path, which the CLI reports as it would in this thread (naming the path,
 * exit 1); anything else is a bug, whose message names the input file and whose stack (--verbose) is the worker's.
 */
export function fromWorkerFailure(failure: WorkerFailure, input: string | undefined): Error {
  if (failure.system) return Object.assign(new Error(failure.bug), failure.system);
  const err = new Error(`preprocessing ${input} failed in a worker: ${failure.bug}`);
  if (failure.stack) err.stack = `${err.message}\n(in the worker) ${failure.stack}`;
  return err;
}

/** How the files will be processed: on worker threads, or in this thread (and why). */
export interface PoolPlan {
  mode: 'threads' | 'in-process';
  workers: number;
  script?: string;
  reason?: string;
}

/**
 * A compiled worker script, by its path under dist/ (default this folder's worker.js). From dist/ it sits in the
 * same tree as this file; under jest this file is TypeScript, which a worker cannot load, so we look for the build
 * in PACKAGE_ROOT/dist (npm test builds first).
 */
export function findWorkerScript(relative = path.join('preprocess', 'worker.js')): { script?: string; reason?: string } {
  if (path.extname(__filename) === '.js') {
    const beside = path.join(__dirname, '..', relative);
    if (fs.existsSync(beside)) return { script: beside };
  }
  const built = path.join(PACKAGE_ROOT, 'dist', relative);
  if (fs.existsSync(built)) return { script: built };
  return { reason: `the compiled worker ${built} is missing (run \`npm run build\`)` };
}

export function planPool(jobs: number, fileCount: number): PoolPlan {
  const workers = Math.max(1, Math.min(jobs, fileCount));
  if (workers === 1) return { mode: 'in-process', workers: 1, reason: jobs === 1 ? '--jobs 1' : 'a single file' };
  const { script, reason } = findWorkerScript();
  if (!script) return { mode: 'in-process', workers: 1, reason };
  return { mode: 'threads', workers, script };
}

/**
 * Runs the jobs and hands each result to `onResult` strictly in job order, whatever order the workers finish
 * in. At most `window` results wait for an earlier, slower file, so memory is bounded by the window, not by
 * the number of files. `onResult` may throw; the run then stops and the error propagates.
 */
export async function runOrdered(
  jobs: readonly FileJob[],
  plan: PoolPlan,
  onResult: (result: FileResult) => void,
  window = Math.max(16, plan.workers * 8),
): Promise<void> {
  if (plan.mode === 'in-process' || !plan.script) {
    for (const job of jobs) onResult(await processFile(job));
    return;
  }
  const script = plan.script;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const waiting = new Map<number, FileResult>();
      // Jobs each worker holds. Two each: a worker that has sent a result finds its next job already waiting,
      // instead of idling for the round trip through this thread (a third of its time on short one-shots).
      const held = new Map<Worker, number>();
      const depth = 2;
      let next = 0;
      let dispatched = 0;
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      const feed = () => {
        for (let placed = true; placed; ) {
          placed = false;
          for (const worker of workers) {
            if (settled || dispatched >= jobs.length || dispatched >= next + window) return;
            if (held.get(worker)! < depth) {
              held.set(worker, held.get(worker)! + 1);
              worker.postMessage(jobs[dispatched++]);
              placed = true;
            }
          }
        }
      };
      const onMessage = (worker: Worker, msg: FileResult | WorkerFailure) => {
        if (settled) return;
        if ('bug' in msg) {
          fail(fromWorkerFailure(msg, jobs[msg.index]?.absPath));
          return;
        }
        waiting.set(msg.index, msg);
        held.set(worker, held.get(worker)! - 1);
        try {
          while (waiting.has(next)) {
            const result = waiting.get(next)!;
            waiting.delete(next);
            next++;
            onResult(result);
          }
        } catch (err) {
          fail(err);
          return;
        }
        if (next === jobs.length) {
          settled = true;
          resolve();
        } else {
          feed();
        }
      };
      for (let i = 0; i < plan.workers; i++) {
        const worker = new Worker(script, { workerData: { kind: WORKER_MARKER } });
        workers.push(worker);
        worker.on('message', (msg) => onMessage(worker, msg));
        worker.on('error', (err) => fail(err));
        worker.on('exit', (code) => {
          if (!settled) fail(new Error(`a preprocessing worker exited unexpectedly (code ${code})`));
        });
        held.set(worker, 0);
      }
      if (jobs.length === 0) {
        settled = true;
        resolve();
      } else {
        feed();
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
