import { decodeAudio } from '../audio/decode';
import { AudioDecodeError, AudioTooLongError } from '../audio/errors';
import { preprocessDecodedWithLevels } from '../infer/model-chain';
import type { SourceLevels } from '../preprocess/chain';
import type { DecodeJob, DecodeReply, UploadChain } from './decode-protocol';

export type { DecodeJob, DecodeReply, UploadChain } from './decode-protocol';

/*
 * A dropped audio file's bytes → the model's preprocessed row: the audition server runs this on its decode worker
 * (decode-worker.ts), and the static site's page on its own (site-page/decode-worker.ts), bundled by esbuild. No Node
 * module may be imported here, directly or through what it imports.
 */

/** Default limit of an uploaded audio file: a few seconds of a one-shot are far below it, even as 32-bit WAV. */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/**
 * Default limit on the audio an upload may hold, in samples (frames × channels, the float32 values a decode
 * allocates): 2 minutes of stereo at 48 kHz, 30 s of stereo at 192 kHz, about 46 MB decoded. A drum one-shot lasts
 * seconds; the file-size limit alone does not bound this, because FLAC packs minutes of silence into a few kilobytes.
 */
export const DEFAULT_MAX_UPLOAD_SAMPLES = 2 * 60 * 48000 * 2;

/**
 * Bytes in a binary unit: '20 MiB', '1.5 MiB', '4 KiB', '100 bytes'. The unit is the one that suits `unitOf` (by
 * default `n` itself), so that a file's size and the limit it exceeds can be written in the same unit.
 */
export function formatBytes(n: number, unitOf = n): string {
  const trimmed = (x: number) => x.toFixed(1).replace(/\.0$/, '');
  if (unitOf >= 1024 * 1024) return `${trimmed(n / (1024 * 1024))} MiB`;
  if (unitOf >= 1024) return `${trimmed(n / 1024)} KiB`;
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}

/** The upload holds (or declares) more audio than the server decodes (answered 413). */
export class TooMuchAudio extends Error {
  override readonly name = 'TooMuchAudio';
  constructor(
    message: string,
    readonly limit: number,
  ) {
    super(message);
  }
}

/** The upload is not audio this chain can use (answered 422 with this message). */
export class UnusableUpload extends Error {
  override readonly name = 'UnusableUpload';
}

/** A preprocessed upload, its source's level before processing, and how many samples (frames × channels) its decode produced. */
export interface PreprocessedUpload {
  row: Float32Array;
  /** What a conditional model's velocity is measured from (src/models/condition.ts velocityOfLevel). */
  levels: SourceLevels;
  decodedSamples: number;
}

/**
 * An uploaded audio file's bytes through the model's dataset chain: the same decodeAudio and preprocessSignal,
 * with the same parameters from sampgen.json, that `sampgen encode` (src/infer/encode.ts) runs on a file on disk,
 * so that a dropped sample lands on the pad where `sampgen encode` would put it. A file declaring or holding more
 * than `maxSamples` is refused before its samples are allocated (TooMuchAudio), and only the channel the chain
 * keeps is decoded when it keeps the first.
 */
export async function preprocessUpload(bytes: Uint8Array, chain: UploadChain, maxSamples = DEFAULT_MAX_UPLOAD_SAMPLES): Promise<PreprocessedUpload> {
  let decoded;
  try {
    decoded = await decodeAudio(bytes, { maxSamples, firstChannelOnly: chain.preprocess.channel === 'first' });
  } catch (err) {
    if (err instanceof AudioTooLongError) throw new TooMuchAudio(`the file is ${err.message}`, maxSamples);
    if (err instanceof AudioDecodeError) throw new UnusableUpload(err.message);
    throw err;
  }
  const decodedSamples = decoded.channels.reduce((n, c) => n + c.length, 0);
  const done = preprocessDecodedWithLevels(decoded, chain);
  if ('reason' in done) throw new UnusableUpload(`cannot be encoded: ${done.reason}`);
  return { row: done.row, levels: done.levels, decodedSamples };
}

/** A decode worker's answer to a job, and the buffer to transfer with it (the row's, not copied). Never rejects. */
export async function answerDecodeJob(job: DecodeJob): Promise<{ reply: DecodeReply; transfer: ArrayBuffer[] }> {
  try {
    const { row, levels, decodedSamples } = await preprocessUpload(job.bytes, job.chain, job.maxSamples);
    const owned = row.byteOffset === 0 && row.buffer.byteLength === row.byteLength ? row : row.slice();
    return { reply: { id: job.id, ok: true, row: owned, levels, decodedSamples }, transfer: [owned.buffer as ArrayBuffer] };
  } catch (err) {
    if (err instanceof TooMuchAudio) return { reply: { id: job.id, ok: false, refusal: 'too-long', message: err.message, limit: err.limit }, transfer: [] };
    if (err instanceof UnusableUpload) return { reply: { id: job.id, ok: false, refusal: 'unusable', message: err.message }, transfer: [] };
    return { reply: { id: job.id, ok: false, bug: err instanceof Error ? (err.stack ?? err.message) : String(err) }, transfer: [] };
  }
}
