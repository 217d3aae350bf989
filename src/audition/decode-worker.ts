/**
 * Worker-thread entry for the audition server's uploads: decodes and preprocesses one upload at a time (the queue
 * in decode-queue.ts sends the next only when this one has answered), so that a long decode never holds up the
 * server's event loop. Loaded from dist/ only (see findWorkerScript), and does nothing when merely imported.
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import type { SourceLevels } from '../preprocess/pipeline';
import { preprocessUpload, TooMuchAudio, UnusableUpload, UploadChain } from './upload';

export const DECODE_WORKER_MARKER = 'sampgen-audition-decode-worker';

export interface DecodeJob {
  id: number;
  bytes: Uint8Array;
  chain: UploadChain;
  maxSamples: number;
}

export type DecodeReply =
  | { id: number; ok: true; row: Float32Array; levels: SourceLevels; decodedSamples: number }
  /** The file's fault: answered 413 (too-long) or 422 (unusable) with this message. */
  | { id: number; ok: false; refusal: 'too-long' | 'unusable'; message: string; limit?: number }
  /** A bug, not a bad file: answered 500 and logged. */
  | { id: number; ok: false; bug: string };

if (!isMainThread && parentPort && (workerData as { kind?: string } | null)?.kind === DECODE_WORKER_MARKER) {
  const port = parentPort;
  port.on('message', (job: DecodeJob) => {
    preprocessUpload(job.bytes, job.chain, job.maxSamples).then(
      ({ row, levels, decodedSamples }) => {
        const owned = row.byteOffset === 0 && row.buffer.byteLength === row.byteLength ? row : row.slice();
        const reply: DecodeReply = { id: job.id, ok: true, row: owned, levels, decodedSamples };
        port.postMessage(reply, [owned.buffer as ArrayBuffer]);
      },
      (err: unknown) => {
        let reply: DecodeReply;
        if (err instanceof TooMuchAudio) reply = { id: job.id, ok: false, refusal: 'too-long', message: err.message, limit: err.limit };
        else if (err instanceof UnusableUpload) reply = { id: job.id, ok: false, refusal: 'unusable', message: err.message };
        else reply = { id: job.id, ok: false, bug: err instanceof Error ? (err.stack ?? err.message) : String(err) };
        port.postMessage(reply);
      },
    );
  });
}
