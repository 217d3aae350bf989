import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage, withPath } from '../errors';
import { decodeAudio, encodeWav, AudioDecodeError, DecodedAudio } from '../audio';
import { PipelineParams, preprocessWithLevels, SourceLevels } from './chain';

// The chain itself lives in chain.ts, free of Node's modules, so that the static site bundles the very same code.
export { ATTACK_WINDOW, preprocessSignal, preprocessWithLevels, sourceLevels } from './chain';
export type { PipelineParams, SourceLevels } from './chain';

/** What a processed source looked like before the chain. */
export interface SourceInfo {
  sha256: string;
  sampleRate: number;
  channels: number;
  format: string;
  frames: number;
  levels: SourceLevels;
  /** What the decoder found odd but not fatal (a truncated file kept up to its last whole frame, a missing MP3 delay). */
  warnings?: string[];
}

/** One file to process: where to read it and, optionally, where to write its float32 WAV. */
export interface FileJob {
  index: number;
  absPath: string;
  /** Absolute path of the per-file WAV to write, or undefined to write none. */
  wavPath?: string;
  params: PipelineParams;
}

export type FileResult =
  | { index: number; ok: true; row: Float32Array; source: SourceInfo }
  | { index: number; ok: false; reason: string };

/**
 * Reads, hashes, decodes and processes one file; writes its WAV when asked. Problems with the file itself
 * (unreadable, not decodable, unusable samples) become a skip reason; anything else is a bug and throws.
 */
export async function processFile(job: FileJob): Promise<FileResult> {
  const { index } = job;
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(job.absPath);
  } catch (err) {
    return { index, ok: false, reason: `unreadable: ${errorMessage(err)}` };
  }
  const decoded = await decodeOrReason(bytes);
  if ('reason' in decoded) return { index, ok: false, reason: decoded.reason };
  const done = preprocessWithLevels(decoded, job.params);
  if ('reason' in done) return { index, ok: false, reason: done.reason };
  const { row, levels } = done;
  if (job.wavPath) {
    // Inside the dataset's temp folder, which appears under its final name only when complete.
    fs.mkdirSync(path.dirname(job.wavPath), { recursive: true });
    try {
      fs.writeFileSync(job.wavPath, encodeWav(row, job.params.sampleRate, 'float32'));
    } catch (err) {
      throw withPath(err, job.wavPath); // writeFileSync's write reports no path (a full disk)
    }
  }
  return {
    index,
    ok: true,
    row,
    source: {
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      format: decoded.format,
      frames: decoded.channels[0]?.length ?? 0,
      levels,
      ...(decoded.warnings && decoded.warnings.length > 0 ? { warnings: [...decoded.warnings] } : {}),
    },
  };
}

/** Decodes bytes, turning any decoder failure into a reason: a corrupt file must never end the run. */
export async function decodeOrReason(bytes: Uint8Array): Promise<DecodedAudio | { reason: string }> {
  if (bytes.byteLength === 0) return { reason: 'empty file (0 bytes)' };
  try {
    const decoded = await decodeAudio(bytes);
    if (decoded.channels.length === 0) return { reason: 'no audio channels' };
    return decoded;
  } catch (err) {
    // Third-party decoders throw assorted errors on garbage; all of them mean "this file cannot be read".
    if (err instanceof AudioDecodeError) return { reason: err.message };
    return { reason: `cannot decode: ${errorMessage(err)}` };
  }
}
