/**
 * Worker-thread entry for the audition server's uploads: decodes and preprocesses one upload at a time (the queue
 * in decode-queue.ts sends the next only when this one has answered), so that a long decode never holds up the
 * server's event loop. Loaded from dist/ only (see findWorkerScript), and does nothing when merely imported.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { answerDecodeJob, DecodeJob } from './upload-chain';

export type { DecodeJob, DecodeReply } from './upload-chain';

export const DECODE_WORKER_MARKER = 'sampgen-audition-decode-worker';

if (!isMainThread && parentPort && (workerData as { kind?: string } | null)?.kind === DECODE_WORKER_MARKER) {
  const port = parentPort;
  port.on('message', (job: DecodeJob) => {
    void answerDecodeJob(job).then(({ reply, transfer }) => port.postMessage(reply, transfer));
  });
}
