import type { IncomingMessage } from 'http';
import { AudioDecodeError, AudioTooLongError, declaredSamples, declaredSize, decodeAudio } from '../audio';
import { ModelMetadata } from '../export';
import { preprocessDecodedWithLevels } from '../infer/encode';
import type { SourceLevels } from '../preprocess/pipeline';

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

/** The body was longer than the limit (answered 413). */
export class PayloadTooLarge extends Error {
  override readonly name = 'PayloadTooLarge';
  constructor(
    readonly limit: number,
    announced?: number,
  ) {
    super(PayloadTooLarge.describe(limit, announced));
  }

  /** In the limit's unit (MiB for the default); in bytes too when that unit would show both as the same size. */
  private static describe(limit: number, announced?: number): string {
    const max = formatBytes(limit);
    if (announced === undefined) return `the file is larger than the upload limit of ${max}`;
    const file = formatBytes(announced, limit);
    if (file !== max) return `the file is ${file}, larger than the upload limit of ${max}`;
    return `the file is ${formatBytes(announced, 0)}, larger than the upload limit of ${max} (${formatBytes(limit, 0)})`;
  }
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

/** The client went away before sending its whole body: nobody is left to answer. */
export class UploadAborted extends Error {
  override readonly name = 'UploadAborted';
}

/**
 * Reads a request body into memory, never onto disk, keeping at most `limit` bytes. A Content-Length above the
 * limit is refused before anything is read (the caller answers 413 and closes the connection). A body that grows
 * past the limit without announcing it is read to its end but thrown away as it comes, and then refused: the
 * client gets its 413 rather than a connection reset in the middle of sending. A client that disconnects before
 * the end rejects with UploadAborted, so that whatever the caller holds for the upload is released.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length']);
    if (Number.isFinite(announced) && announced > limit) {
      reject(new PayloadTooLarge(limit, announced));
      return;
    }
    let chunks: Buffer[] | null = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) chunks = null;
      else chunks?.push(chunk);
    });
    req.on('end', () => {
      if (chunks === null) {
        reject(new PayloadTooLarge(limit));
        return;
      }
      const body = Buffer.concat(chunks);
      resolve(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    });
    // After 'end' these change nothing (a promise settles once).
    req.on('close', () => reject(new UploadAborted('the client disconnected during the upload')));
    req.on('error', (err) => reject(new UploadAborted(`the upload failed: ${err.message}`)));
  });
}

/** What the chain needs of a model: the preprocessing parameters of its dataset and its row length. */
export type UploadChain = Pick<ModelMetadata, 'preprocess' | 'length'>;

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

/** Float32 samples as little-endian bytes (the wire format of the preprocess endpoint, whatever the host's order). */
export function float32LE(x: Float32Array): Buffer {
  const out = Buffer.alloc(x.length * 4);
  for (let i = 0; i < x.length; i++) out.writeFloatLE(x[i]!, i * 4);
  return out;
}

/**
 * Refuses (TooMuchAudio) an upload whose header declares more than `maxSamples` samples (frames × channels), from
 * the header bytes alone: cheap enough for the server's main thread, so that such a file never waits for a decode.
 */
export function checkDeclaredSize(bytes: Uint8Array, maxSamples: number): void {
  const declared = declaredSize(bytes);
  if (declared !== null && declaredSamples(declared) > maxSamples) {
    throw new TooMuchAudio(`the file is ${new AudioTooLongError(declaredSamples(declared), maxSamples, declared, 'declared').message}`, maxSamples);
  }
}
