/**
 * Log-mel features: the hand-crafted stand-in for a pretrained embedding in the Fréchet distance, NDB and the
 * nearest-neighbour metrics (no network to download, and the numbers mean something: levels in dB per band).
 */
import { binFrequency, checkFftSize, powerSpectrogram } from './spectrum';

/** HTK mel scale: m = 2595·log10(1 + f/700). */
export function hzToMel(f: number): number {
  return 2595 * Math.log10(1 + f / 700);
}

/** Inverse of hzToMel: f = 700·(10^(m/2595) − 1). */
export function melToHz(m: number): number {
  return 700 * (10 ** (m / 2595) - 1);
}

/** One triangular band: weights for FFT bins start … start + weights.length − 1 (zero elsewhere). */
export interface MelBand {
  /** Centre frequency in Hz (where the weight is 1). */
  centreHz: number;
  start: number;
  weights: Float64Array;
}

/**
 * A mel filterbank of `bands` triangles with unit peak. The band edges are bands + 2 points equally spaced in
 * mel from fMin to fMax; band b rises linearly in Hz from point b to point b+1 and falls to point b+2. Because
 * neighbouring triangles share edges, the weights of all bands sum to exactly 1 at every bin between the first
 * and the last centre. Unit peak as in HTK (no Slaney area normalisation): a band's energy is a weighted sum of
 * bin powers, so wide high bands read higher for white noise; the metrics only compare sets band by band, so
 * the offset cancels. Stored sparsely because each bin lies in at most two bands.
 */
export function melFilterbank(
  bands: number,
  fftSize: number,
  sampleRate: number,
  fMin = 0,
  fMax = sampleRate / 2,
): MelBand[] {
  checkFftSize(fftSize);
  if (!Number.isInteger(bands) || bands < 1) throw new RangeError(`melFilterbank: bands must be >= 1, got ${bands}`);
  if (!(sampleRate > 0)) throw new RangeError(`melFilterbank: sample rate must be positive, got ${sampleRate}`);
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new RangeError(`melFilterbank: need 0 <= fMin < fMax <= Nyquist, got fMin ${fMin}, fMax ${fMax}`);
  }
  const lo = hzToMel(fMin);
  const hi = hzToMel(fMax);
  const edges = new Float64Array(bands + 2);
  for (let i = 0; i < bands + 2; i++) edges[i] = melToHz(lo + ((hi - lo) * i) / (bands + 1));
  const bins = fftSize / 2 + 1;
  const result: MelBand[] = [];
  for (let b = 0; b < bands; b++) {
    const left = edges[b]!;
    const centre = edges[b + 1]!;
    const right = edges[b + 2]!;
    const start = Math.max(0, Math.ceil((left * fftSize) / sampleRate));
    const end = Math.min(bins - 1, Math.floor((right * fftSize) / sampleRate));
    const weights = new Float64Array(Math.max(0, end - start + 1));
    for (let k = start; k <= end; k++) {
      const f = binFrequency(k, fftSize, sampleRate);
      const w = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
      weights[k - start] = Math.max(0, w);
    }
    result.push({ centreHz: centre, start, weights });
  }
  return result;
}

/** Options of the log-mel analysis; the defaults are the feature definition used by the generation metrics. */
export interface LogMelOptions {
  bands?: number;
  fftSize?: number;
  hop?: number;
  /** Power floor before the log: 1e-10 = −100 dB relative to a unit-variance white-noise bin. */
  epsilon?: number;
}

export const LOG_MEL_DEFAULTS: Required<LogMelOptions> = { bands: 64, fftSize: 1024, hop: 256, epsilon: 1e-10 };

const filterbanks = new Map<string, MelBand[]>();

function cachedFilterbank(bands: number, fftSize: number, sampleRate: number): MelBand[] {
  const key = `${bands}/${fftSize}/${sampleRate}`;
  let fb = filterbanks.get(key);
  if (!fb) {
    fb = melFilterbank(bands, fftSize, sampleRate);
    filterbanks.set(key, fb);
  }
  return fb;
}

/**
 * Mel power spectrogram: E[f, b] = Σ_k W_b[k]·P[f, k], frames × bands, row-major (no logarithm yet, so that the
 * caller chooses the floor).
 */
export function melPowerSpectrogram(
  x: ArrayLike<number>,
  sampleRate: number,
  options: Omit<LogMelOptions, 'epsilon'> = {},
): { frames: number; bands: number; data: Float64Array } {
  const o = { ...LOG_MEL_DEFAULTS, ...options };
  const fb = cachedFilterbank(o.bands, o.fftSize, sampleRate);
  const p = powerSpectrogram(x, o.fftSize, o.hop);
  const data = new Float64Array(p.frames * o.bands);
  for (let f = 0; f < p.frames; f++) {
    const row = f * p.bins;
    for (let b = 0; b < o.bands; b++) {
      const { start, weights } = fb[b]!;
      let e = 0;
      for (let j = 0; j < weights.length; j++) e += weights[j]! * p.data[row + start + j]!;
      data[f * o.bands + b] = e;
    }
  }
  return { frames: p.frames, bands: o.bands, data };
}

/** Log-mel spectrogram in dB: L[f, b] = 10·log10(Σ_k W_b[k]·P[f, k] + ε), frames × bands, row-major. */
export function logMelSpectrogram(
  x: ArrayLike<number>,
  sampleRate: number,
  options: LogMelOptions = {},
): { frames: number; bands: number; data: Float64Array } {
  const o = { ...LOG_MEL_DEFAULTS, ...options };
  const m = melPowerSpectrogram(x, sampleRate, o);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 10 * Math.log10(m.data[i]! + o.epsilon);
  return m;
}

/**
 * Per-band statistics of a mel power spectrogram in dB with a power floor: with L[f, b] = 10·log10(E[f, b] +
 * floor), the 2·bands values [mean over frames of L[·, b] for each band, then the population standard deviation
 * over frames of L[·, b] for each band].
 */
export function bandStatistics(m: { frames: number; bands: number; data: Float64Array }, floorPower: number): Float64Array {
  const out = new Float64Array(2 * m.bands);
  const level = new Float64Array(m.frames);
  for (let b = 0; b < m.bands; b++) {
    let s = 0;
    for (let f = 0; f < m.frames; f++) {
      const l = 10 * Math.log10(m.data[f * m.bands + b]! + floorPower);
      level[f] = l;
      s += l;
    }
    const mean = s / m.frames;
    let v = 0;
    for (let f = 0; f < m.frames; f++) v += (level[f]! - mean) ** 2;
    out[b] = mean;
    out[m.bands + b] = Math.sqrt(v / m.frames);
  }
  return out;
}

/**
 * The per-sample statistics of the whole log-mel spectrogram with the absolute floor ε: [mean over frames of
 * each band's log-mel dB, then the (population) standard deviation over frames of each band] — 2·bands values
 * (128 with the defaults). The generation metrics use generationFeatures (features.ts) instead, which starts at
 * the attack and floors relative to the real set.
 */
export function logMelStatistics(x: ArrayLike<number>, sampleRate: number, options: LogMelOptions = {}): Float64Array {
  const o = { ...LOG_MEL_DEFAULTS, ...options };
  return bandStatistics(melPowerSpectrogram(x, sampleRate, o), o.epsilon);
}
