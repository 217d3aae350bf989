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
 * The study's chain on one decoded signal: channel → resample → peak-align → trim/pad. Returns the row, or the
 * reason the signal cannot be used (empty, NaN/Inf, silent: checked on the chosen channel, before resampling,
 * so that a bad value never spreads through the filter).
 */
export function preprocessSignal(decoded: DecodedAudio, params: PipelineParams): Float32Array | { reason: string } {
  const done = preprocessWithLevels(decoded, params);
  return 'reason' in done ? done : done.row;
}

/** The source's level before any processing (on the chosen channel, at its own rate): the "velocity" of a hit. */
export interface SourceLevels {
  /** 20·log10 of the largest |sample| (dBFS). */
  peakDbfs: number;
  /** 20·log10 of the RMS over ATTACK_WINDOW around the peak (dBFS): how hard the hit starts, less spiky than the peak. */
  attackRmsDbfs: number;
}

/** The attack window of SourceLevels: from 5 ms before the peak to 45 ms after it (cut at the signal's ends). */
export const ATTACK_WINDOW = { beforeSeconds: 0.005, afterSeconds: 0.045 } as const;

/** Levels of a channel whose largest |sample| is at `peak` (see SourceLevels). */
export function sourceLevels(x: Float32Array, peak: number, sampleRate: number): SourceLevels {
  const from = Math.max(0, peak - Math.round(ATTACK_WINDOW.beforeSeconds * sampleRate));
  const to = Math.min(x.length, peak + Math.round(ATTACK_WINDOW.afterSeconds * sampleRate));
  let energy = 0;
  for (let i = from; i < to; i++) energy += x[i]! * x[i]!;
  const db = (v: number) => Math.round(2000 * Math.log10(v)) / 100; // 0.01 dB: what a level means, not float noise
  return { peakDbfs: db(Math.abs(x[peak]!)), attackRmsDbfs: db(Math.sqrt(energy / Math.max(1, to - from))) };
}

/** preprocessSignal's row and the source's levels (nothing in the chain normalises: level is part of the signal). */
export function preprocessWithLevels(decoded: DecodedAudio, params: PipelineParams): { row: Float32Array; levels: SourceLevels } | { reason: string } {
  const x = selectChannel(decoded.channels, params.channel);
  const scan = scanSamples(x);
  if (scan.reason !== null) return { reason: scan.reason };
  const levels = sourceLevels(x, scan.peak, decoded.sampleRate);
  const resampled = resample(x, decoded.sampleRate, params.sampleRate);
  // At the target rate already, the scan found the peak; otherwise the filter moved it.
  const peak = resampled === x ? scan.peak : peakIndex(resampled);
  return { row: placePeak(resampled, peak, params.attackSamples, params.lengthSamples), levels };
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
