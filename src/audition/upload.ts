import type { IncomingMessage } from 'http';
import { AudioTooLongError, declaredSamples, declaredSize } from '../audio';
import { formatBytes, TooMuchAudio } from './upload-chain';

// What happens to an upload's bytes (decode and the dataset chain) is in upload-chain.ts, free of Node's modules:
// the server's decode worker and the static site's page worker run that same module.
export {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_MAX_UPLOAD_SAMPLES,
  formatBytes,
  preprocessUpload,
  TooMuchAudio,
  UnusableUpload,
} from './upload-chain';
export type { PreprocessedUpload, UploadChain } from './upload-chain';

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
