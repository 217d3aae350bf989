/**
 * Short-time Fourier transform magnitudes in dB, the data behind a spectrogram. Uses fft.js (radix-4, real input).
 * Pure: samples in, a frame-major table of dB values out.
 */
import FFT from 'fft.js';

export interface StftOptions {
  /** FFT length in samples, a power of two (default 1024). */
  fftSize?: number;
  /** Samples between frame starts (default 256). */
  hopSize?: number;
}

export interface StftDb {
  fftSize: number;
  hopSize: number;
  frames: number;
  /** fftSize / 2 + 1: DC to Nyquist. */
  bins: number;
  /** frames × bins values, frame-major: db[frame * bins + bin]. */
  db: Float32Array;
}

/** dB floor for exact zeros (silence), far below anything a 24-bit file can hold (-144 dBFS). */
export const DB_FLOOR = -200;

/**
 * Frames start at 0, hop apart, and the last frame is the first one reaching the end of the signal (samples past
 * the end count as zero); a signal shorter than one FFT gives one zero-padded frame. Each frame is multiplied by
 * a periodic Hann window and magnitudes are scaled by 2 / Σw, so that a full-scale sine centred on a bin reads
 * 0 dB (dBFS); DC and Nyquist, which have no mirror image, read 6 dB low under this scaling.
 */
export function stftMagnitudeDb(samples: ArrayLike<number>, opts: StftOptions = {}): StftDb {
  const fftSize = opts.fftSize ?? 1024;
  const hopSize = opts.hopSize ?? 256;
  if (!Number.isInteger(fftSize) || fftSize < 4 || (fftSize & (fftSize - 1)) !== 0) {
    throw new RangeError(`fftSize must be a power of two ≥ 4, got ${fftSize}`);
  }
  if (!Number.isInteger(hopSize) || hopSize < 1) throw new RangeError(`hopSize must be a positive integer, got ${hopSize}`);

  const n = samples.length;
  const frames = n <= fftSize ? 1 : 1 + Math.ceil((n - fftSize) / hopSize);
  const bins = fftSize / 2 + 1;
  const window = new Float64Array(fftSize);
  let windowSum = 0;
  for (let k = 0; k < fftSize; k++) {
    // Periodic (not symmetric) Hann: overlapping frames sum to a constant, the spectral-analysis convention.
    window[k] = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / fftSize);
    windowSum += window[k] as number;
  }
  const gain = 2 / windowSum;

  const fft = new FFT(fftSize);
  const input = new Array<number>(fftSize).fill(0);
  const out = fft.createComplexArray() as number[];
  const db = new Float32Array(frames * bins);
  for (let f = 0; f < frames; f++) {
    const start = f * hopSize;
    for (let k = 0; k < fftSize; k++) {
      const i = start + k;
      const v = i < n ? (samples[i] as number) : 0;
      input[k] = Number.isFinite(v) ? v * (window[k] as number) : 0;
    }
    fft.realTransform(out, input);
    for (let b = 0; b < bins; b++) {
      const re = out[2 * b] as number;
      const im = out[2 * b + 1] as number;
      const mag = Math.sqrt(re * re + im * im) * gain;
      db[f * bins + b] = mag > 0 ? Math.max(DB_FLOOR, 20 * Math.log10(mag)) : DB_FLOOR;
    }
  }
  return { fftSize, hopSize, frames, bins, db };
}
