import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage, withPath } from '../errors';
import { decodeAudio, encodeWav, AudioDecodeError, DecodedAudio } from '../audio';
import { ChannelMode, scanSamples, selectChannel } from './channel';
import { resample } from './resample';
import { peakIndex, placePeak } from './peak-align';

/** The per-file chain's parameters, already in samples at the target rate (so workers need no parsing). */
export interface PipelineParams {
  sampleRate: number;
  channel: ChannelMode;
  /** Index the peak lands on. */
  attackSamples: number;
  /** Samples per output row. */
  lengthSamples: number;
}

/** What a processed source looked like before the chain. */
export interface SourceInfo {
  sha256: string;
  sampleRate: number;
  channels: number;
  format: string;
  frames: number;
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
 * The study's chain on one decoded signal: channel → resample → peak-align → trim/pad. Returns the row, or the
 * reason the signal cannot be used (empty, NaN/Inf, silent: checked on the chosen channel, before resampling,
 * so that a bad value never spreads through the filter).
 */
export function preprocessSignal(decoded: DecodedAudio, params: PipelineParams): Float32Array | { reason: string } {
  const x = selectChannel(decoded.channels, params.channel);
  const scan = scanSamples(x);
  if (scan.reason !== null) return { reason: scan.reason };
  const resampled = resample(x, decoded.sampleRate, params.sampleRate);
  // At the target rate already, the scan found the peak; otherwise the filter moved it.
  const peak = resampled === x ? scan.peak : peakIndex(resampled);
  return placePeak(resampled, peak, params.attackSamples, params.lengthSamples);
}

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
  const row = preprocessSignal(decoded, job.params);
  if ('reason' in row) return { index, ok: false, reason: row.reason };
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
