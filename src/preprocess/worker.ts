/**
 * Worker-thread entry for `sampgen preprocess`: receives FileJobs, answers FileResults (the row's buffer is
 * transferred, not copied). Loaded only from dist/ (the pool checks), and does nothing when merely imported.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { FileJob, FileResult, processFile } from './pipeline';

export const WORKER_MARKER = 'sampgen-preprocess-worker';

/** A bug inside the worker (not a bad file): the pool fails the run with it. */
export interface WorkerFailure {
  index: number;
  ok: false;
  bug: string;
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
      (err: unknown) => {
        const failure: WorkerFailure = {
          index: job.index,
          ok: false,
          bug: err instanceof Error ? (err.stack ?? err.message) : String(err),
        };
        port.postMessage(failure);
      },
    );
  });
}
