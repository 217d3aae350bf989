import * as fs from 'fs';
import { encodeWav, WavEncoding } from '../audio';
import { UserError } from '../errors';
import { writeFileAtomic } from '../util/atomic';
import { normalizePeak } from './model';

export const WAV_FORMATS: readonly WavEncoding[] = ['float32', 'pcm16', 'pcm24'];

export function checkWavFormat(format: string): WavEncoding {
  if (!(WAV_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`--format ${JSON.stringify(format)}: expected one of ${WAV_FORMATS.join(', ')}`);
  }
  return format as WavEncoding;
}

/**
 * How `--normalize` sets each written sample's level:
 *   peak — scale so that max |x| is NORMALIZE_PEAK_DBFS (−1 dBFS: a decibel of headroom for inter-sample peaks
 *          and later resampling or lossy encoding);
 *   loudness — scale so that the RMS over the whole sample is NORMALIZE_RMS_DBFS (−20 dBFS), but never so far
 *          that the peak goes above NORMALIZE_PEAK_DBFS (such samples end up quieter, and are counted). Plain
 *          RMS, not LUFS: ITU-R BS.1770 integrates 400 ms gating blocks, longer than many one-shots.
 */
export type NormalizeMode = 'peak' | 'loudness';
export const NORMALIZE_MODES: readonly NormalizeMode[] = ['peak', 'loudness'];
export const NORMALIZE_PEAK_DBFS = -1;
export const NORMALIZE_RMS_DBFS = -20;

export function checkNormalizeMode(mode: string): NormalizeMode {
  if (!(NORMALIZE_MODES as readonly string[]).includes(mode)) {
    throw new UserError(`--normalize ${JSON.stringify(mode)}: expected one of ${NORMALIZE_MODES.join(', ')}`);
  }
  return mode as NormalizeMode;
}

const dbToGain = (db: number) => 10 ** (db / 20);

function peakOf(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

function rmsOf(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return x.length > 0 ? Math.sqrt(s / x.length) : 0;
}

/**
 * A copy of `x` at the level `mode` asks for (see NormalizeMode); silence stays silence. `limited` is true when
 * the loudness target would have put the peak above NORMALIZE_PEAK_DBFS, so the peak ceiling set the gain.
 */
export function normalizeSample(x: Float32Array, mode: NormalizeMode): { samples: Float32Array; limited: boolean } {
  const ceiling = dbToGain(NORMALIZE_PEAK_DBFS);
  if (mode === 'peak') return { samples: normalizePeak(x, ceiling), limited: false };
  const rms = rmsOf(x);
  const peak = peakOf(x);
  if (rms === 0 || peak === 0) return { samples: x, limited: false };
  const gain = dbToGain(NORMALIZE_RMS_DBFS) / rms;
  if (gain * peak > ceiling) return { samples: normalizePeak(x, ceiling), limited: true };
  return { samples: x.map((v) => v * gain), limited: false };
}

/** Samples a fixed-point WAV cannot hold: |x| > 1 (full scale), NaN included. */
export function countAboveFullScale(x: Float32Array): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (!(Math.abs(x[i]!) <= 1)) n++;
  return n;
}

/** What writing one sample did to it. */
export interface WriteReport {
  /** Samples clipped to full scale (pcm16/pcm24 only; float32 keeps values above 1). */
  clipped: number;
  /** Loudness normalisation was held down by the peak ceiling. */
  limited: boolean;
}

/**
 * Writes one generated sample as a WAV, atomically; refuses to replace an existing file unless `force`.
 * `normalize: true` means 'peak' (the boolean form callers used before the modes existed).
 */
export function writeSample(
  file: string,
  samples: Float32Array,
  sampleRate: number,
  opts: { format: WavEncoding; normalize?: boolean | NormalizeMode; force?: boolean },
): WriteReport {
  if (!opts.force && fs.existsSync(file)) throw new UserError(`${file} exists; use --force to overwrite it`);
  const mode: NormalizeMode | null = opts.normalize === true ? 'peak' : opts.normalize || null;
  const { samples: out, limited } = mode ? normalizeSample(samples, mode) : { samples, limited: false };
  const clipped = opts.format === 'float32' ? 0 : countAboveFullScale(out);
  writeFileAtomic(file, encodeWav(out, sampleRate, opts.format));
  return { clipped, limited };
}
