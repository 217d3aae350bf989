import type { SourceLevels } from '../preprocess/chain';

/*
 * What a decode worker (the server's worker thread, the static site's web worker) is sent and answers: types only,
 * importing no decoder, so that the page (type-checked without Node's types) can name them.
 */

/** What the chain needs of a model: its sampgen.json's preprocessing parameters and its row length. */
export interface UploadChain {
  preprocess: { channel: string; attack: number; length: number; sample_rate: number };
  length: number;
}

/** One upload for a decode worker (the server's worker thread, the static site's web worker). */
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
