import * as path from 'path';
import { Worker } from 'worker_threads';
import { findWorkerScript } from '../preprocess/pool';
import { DECODE_WORKER_MARKER, DecodeJob, DecodeReply } from './decode-worker';
import { PreprocessedUpload, preprocessUpload, TooMuchAudio, UnusableUpload, UploadAborted, UploadChain } from './upload';

/**
 * The audition server's uploads, decoded one at a time on a worker thread.
 *
 * Decoding is the one heavy computation the server does, and it used to run on the event loop: a file that took
 * seconds to decode held up every other request, SIGTERM included. Here it runs on one worker thread (the same
 * mechanism as `sampgen preprocess`: the compiled script from dist/, found by findWorkerScript), one upload after the
 * other, so that memory is that of one decode at a time. Uploads are admitted before their bodies are read, at most
 * `maxPending` at once (each holds up to the upload limit in memory while it waits); the rest are turned away (503)
 * rather than queued without bound. A decode that runs past `timeoutMs` is stopped by ending the worker, and a
 * worker that has decoded a large file is replaced, which hands its memory back (the FLAC decoder's wasm memory
 * grows but never shrinks).
 *
 * Without the compiled worker (a source checkout that was never built) uploads are decoded on the main thread,
 * still one at a time, with a line in the log saying so.
 */

/** Uploads admitted at once: the one decoding and those read or waiting behind it. */
export const DEFAULT_MAX_PENDING_UPLOADS = 4;
/** Longest a decode may run; a one-shot takes milliseconds, the largest file the limits allow about a second. */
export const DEFAULT_DECODE_TIMEOUT_MS = 30_000;
/** A worker that decoded more than this many samples (16 MB of float32) is replaced after the job. */
const RECYCLE_ABOVE_SAMPLES = 4_000_000;

/** The decode ran past the time limit and was stopped (answered 422: the file is the likely cause). */
export class DecodeTimedOut extends Error {
  override readonly name = 'DecodeTimedOut';
}

export interface UploadQueueOptions {
  maxSamples: number;
  maxPending: number;
  timeoutMs: number;
  log: (line: string) => void;
}

export interface UploadQueueState {
  /** Uploads admitted and not finished: being read, waiting, or decoding. */
  pending: number;
  /** Whether a decode is running now. */
  decoding: boolean;
  /** Decodes started since the server started (a file refused from its header never gets one). */
  started: number;
  /** Whether decodes run on a worker thread (false only without a build, see above). */
  onWorker: boolean;
}

export class UploadQueue {
  private pending = 0;
  private decoding = false;
  private started = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private worker: Worker | undefined;
  private nextId = 1;
  private closed = false;
  private readonly script: string | undefined;

  constructor(private readonly opts: UploadQueueOptions) {
    const found = findWorkerScript(path.join('audition', 'decode-worker.js'));
    this.script = found.script;
    if (!found.script) {
      opts.log(`audition: uploads are decoded on the main thread, where a long decode holds up other requests: ${found.reason}`);
    }
  }

  get state(): UploadQueueState {
    return { pending: this.pending, decoding: this.decoding, started: this.started, onWorker: this.script !== undefined };
  }

  /**
   * Room for one more upload, taken before its body is read: a function that gives it back (call it once, when the
   * upload is answered), or null when `maxPending` uploads are already in progress.
   */
  admit(): (() => void) | null {
    if (this.pending >= this.opts.maxPending) return null;
    this.pending++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pending--;
    };
  }

  /** Decodes and preprocesses one upload once those before it are done. */
  run(bytes: Uint8Array, chain: UploadChain): Promise<PreprocessedUpload> {
    const job = this.tail.then(() => this.runNow(bytes, chain));
    this.tail = job.catch(() => undefined);
    return job;
  }

  /** Stops the worker, and with it any decode in progress (its upload is dropped unanswered, like its connection). */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private async runNow(bytes: Uint8Array, chain: UploadChain): Promise<PreprocessedUpload> {
    if (this.closed) throw new UploadAborted('the server is closing');
    this.decoding = true;
    this.started++;
    try {
      return this.script ? await this.onWorker(this.script, bytes, chain) : await preprocessUpload(bytes, chain, this.opts.maxSamples);
    } finally {
      this.decoding = false;
    }
  }

  private spawn(script: string): Worker {
    const worker = new Worker(script, { workerData: { kind: DECODE_WORKER_MARKER } });
    // An error between jobs must not go unhandled (it would end the server): the next job gets a new worker.
    worker.on('error', () => this.discard(worker));
    worker.on('exit', () => this.discard(worker));
    worker.unref(); // an idle worker does not keep the process alive
    this.worker = worker;
    return worker;
  }

  private discard(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    void worker.terminate();
  }

  private onWorker(script: string, bytes: Uint8Array, chain: UploadChain): Promise<PreprocessedUpload> {
    const worker = this.worker ?? this.spawn(script);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const done = () => {
        worker.unref();
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        this.discard(worker);
        reject(
          new DecodeTimedOut(
            `decoding the file took longer than ${this.opts.timeoutMs / 1000} s, the server's limit: the file is damaged, or far longer than a one-shot`,
          ),
        );
      }, this.opts.timeoutMs);
      const onMessage = (reply: DecodeReply) => {
        if (reply.id !== id) return;
        done();
        if (reply.ok) {
          if (reply.decodedSamples > RECYCLE_ABOVE_SAMPLES) this.discard(worker);
          resolve({ row: reply.row, levels: reply.levels, decodedSamples: reply.decodedSamples });
        } else if ('bug' in reply) {
          reject(new Error(`the decode worker failed: ${reply.bug}`));
        } else if (reply.refusal === 'too-long') {
          reject(new TooMuchAudio(reply.message, reply.limit ?? this.opts.maxSamples));
        } else {
          reject(new UnusableUpload(reply.message));
        }
      };
      const onError = (err: Error) => {
        done();
        this.discard(worker);
        reject(err);
      };
      const onExit = (code: number) => {
        done();
        this.discard(worker);
        reject(this.closed ? new UploadAborted('the server is closing') : new Error(`the decode worker exited (code ${code})`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.ref(); // while it works for a request, like any other pending I/O
      // The bytes move to the worker instead of being copied; a view into a larger (pooled) buffer is copied first.
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
      const job: DecodeJob = { id, bytes: owned, chain: { preprocess: chain.preprocess, length: chain.length }, maxSamples: this.opts.maxSamples };
      try {
        worker.postMessage(job, [owned.buffer as ArrayBuffer]);
      } catch (err) {
        done();
        reject(err);
      }
    });
  }
}
