import type { IncomingMessage } from 'http';
import { AudioDecodeError, decodeAudio } from '../audio';
import { ModelMetadata } from '../export';
import { preprocessDecodedForModel } from '../infer/encode';

/** Default limit of an uploaded audio file: a few seconds of a one-shot are far below it, even as 32-bit WAV. */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** The body was longer than the limit (answered 413). */
export class PayloadTooLarge extends Error {
  override readonly name = 'PayloadTooLarge';
  constructor(readonly limit: number) {
    super(`the file is larger than the upload limit of ${limit} bytes`);
  }
}

/** The upload is not audio this chain can use (answered 422 with this message). */
export class UnusableUpload extends Error {
  override readonly name = 'UnusableUpload';
}

/**
 * Reads a request body into memory, never onto disk, keeping at most `limit` bytes. A Content-Length above the
 * limit is refused before anything is read (the caller answers 413 and closes the connection). A body that grows
 * past the limit without announcing it is read to its end but thrown away as it comes, and then refused: the
 * client gets its 413 rather than a connection reset in the middle of sending.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const announced = Number(req.headers['content-length']);
    if (Number.isFinite(announced) && announced > limit) {
      reject(new PayloadTooLarge(limit));
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
    req.on('error', reject);
  });
}

/**
 * An uploaded audio file's bytes through the model's dataset chain: the same decodeAudio and preprocessSignal,
 * with the same parameters from sampgen.json, that `sampgen encode` (src/infer/encode.ts) runs on a file on disk,
 * so that a dropped sample lands on the pad where `sampgen encode` would put it.
 */
export async function preprocessUpload(bytes: Uint8Array, meta: ModelMetadata): Promise<Float32Array> {
  let decoded;
  try {
    decoded = await decodeAudio(bytes);
  } catch (err) {
    if (err instanceof AudioDecodeError) throw new UnusableUpload(err.message);
    throw err;
  }
  const row = preprocessDecodedForModel(decoded, meta);
  if (!(row instanceof Float32Array)) throw new UnusableUpload(`cannot be encoded: ${row.reason}`);
  return row;
}

/** Float32 samples as little-endian bytes (the wire format of the preprocess endpoint, whatever the host's order). */
export function float32LE(x: Float32Array): Buffer {
  const out = Buffer.alloc(x.length * 4);
  for (let i = 0; i < x.length; i++) out.writeFloatLE(x[i]!, i * 4);
  return out;
}
