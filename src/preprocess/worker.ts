/**
 * Worker-thread entry for `sampgen preprocess`: receives FileJobs, answers FileResults (the row's buffer is
 * transferred, not copied). Loaded only from dist/ (the pool checks), and does nothing when merely imported.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { FileJob, FileResult, processFile } from './pipeline';

export const WORKER_MARKER = 'sampgen-preprocess-worker';

/**
 * A failure inside the worker that is not a bad input file (those are skip reasons): a file-system failure such as a
 * full disk, or a bug. The pool fails the run with it; the error is passed as data, since an Error's own fields do not
 * survive postMessage.
 */
export interface WorkerFailure {
  index: number;
  ok: false;
  /** The error's message. */
  bug: string;
  /** Its stack, shown with --verbose only. */
  stack?: string;
  /** The fields of a Node system error (ENOSPC while writing a WAV…), so that the main thread rethrows one alike. */
  system?: SystemErrorFields;
}

export interface SystemErrorFields {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** The WorkerFailure for an error thrown while processing job `index`. */
export function toWorkerFailure(index: number, err: unknown): WorkerFailure {
  if (!(err instanceof Error)) return { index, ok: false, bug: String(err) };
  const failure: WorkerFailure = { index, ok: false, bug: err.message, stack: err.stack };
  const e = err as NodeJS.ErrnoException & { dest?: unknown };
  if (typeof e.code === 'string') {
    failure.system = { code: e.code, errno: e.errno, syscall: e.syscall, path: e.path, dest: typeof e.dest === 'string' ? e.dest : undefined };
  }
  return failure;
}

if (!isMainThread && parentPort && (workerData as { kind?: string } | null)?.kind === WORKER_MARKER) {
  const port = parentPort;
  port.on('message', (job: FileJob) => {
    processFile(job).then(
      (result: FileResult) => {
        if (result.ok) {
          // Transfer needs a buffer the row owns entirely; copy a row that is a view into a larger one.
          const row =
            result.row.byteOffset === 0 && result.row.buffer.byteLength === result.row.byteLength
              ? result.row
              : result.row.slice();
          port.postMessage({ ...result, row }, [row.buffer as ArrayBuffer]);
        } else {
          port.postMessage(result);
        }
      },
      (err: unknown) => port.postMessage(toWorkerFailure(job.index, err)),
    );
  });
}
