/**
 * Reconstruction metrics for one pair (target x, reconstruction x̂) of equal length. Set-level numbers are the
 * mean over pairs (see summary.ts). Formulas are repeated in docs/metrics.md.
 */
import { magnitudeSpectrogram, powerSpectrogram } from './spectrum';

/** Mean squared error: (1/N)·Σ (x[n] − x̂[n])². An empty pair has no error (0). */
export function mse(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength(x, y, 'mse');
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    s += d * d;
  }
  return s / x.length;
}

/** FFT sizes of the multi-resolution STFT distance (hop = size/4, Hann window). */
export const MR_STFT_SIZES: readonly number[] = [2048, 1024, 512, 256, 128];

/**
 * Floor added to STFT magnitudes before the log (and to the spectral-convergence denominator), so that silence
 * (all-zero frames) gives finite numbers. 1e-7 is the clamp used by Parallel WaveGAN's STFT loss; magnitudes are
 * unnormalised sums (a full-scale sine reaches ~N/4), so this is ~−140 dB below full scale even at N = 128.
 */
export const MR_STFT_EPSILON = 1e-7;

/** Multi-resolution STFT distance and its two parts, each averaged over the FFT sizes. */
export interface MrStftDistance {
  /** mean over sizes of (spectral convergence + log-magnitude L1). */
  total: number;
  /** mean over sizes of ‖|S| − |Ŝ|‖_F / (‖|S|‖_F + ε). */
  spectralConvergence: number;
  /** mean over sizes of mean_{f,k} |ln(|S|+ε) − ln(|Ŝ|+ε)|. */
  logMagnitude: number;
}

/**
 * Multi-resolution STFT distance: for each N in `sizes` (hop N/4, periodic Hann), with S and Ŝ the magnitude
 * STFTs of x and x̂,
 *   SC_N = ‖|S| − |Ŝ|‖_F / (‖|S|‖_F + ε),   LM_N = mean over frames and bins of |ln(|S| + ε) − ln(|Ŝ| + ε)|,
 * and the distance is (1/#sizes)·Σ_N (SC_N + LM_N). Signals shorter than N are zero-padded to one frame.
 * Identical inputs give exactly 0; a copy scaled by a > 0 gives SC = |1 − a| and LM ≈ |ln a|.
 */
export function mrStftDistance(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  sizes: readonly number[] = MR_STFT_SIZES,
  epsilon = MR_STFT_EPSILON,
): MrStftDistance {
  checkSameLength(x, y, 'mrStftDistance');
  if (sizes.length === 0) throw new RangeError('mrStftDistance: at least one FFT size is needed');
  let sc = 0;
  let lm = 0;
  for (const size of sizes) {
    const s = magnitudeSpectrogram(x, size, size / 4);
    const t = magnitudeSpectrogram(y, size, size / 4);
    let diff2 = 0;
    let ref2 = 0;
    let logL1 = 0;
    for (let i = 0; i < s.data.length; i++) {
      const a = s.data[i]!;
      const b = t.data[i]!;
      diff2 += (a - b) * (a - b);
      ref2 += a * a;
      logL1 += Math.abs(Math.log(a + epsilon) - Math.log(b + epsilon));
    }
    sc += Math.sqrt(diff2) / (Math.sqrt(ref2) + epsilon);
    lm += logL1 / s.data.length;
  }
  sc /= sizes.length;
  lm /= sizes.length;
  return { total: sc + lm, spectralConvergence: sc, logMagnitude: lm };
}

/** FFT size and hop of the log-spectral distance. */
export const LSD_FFT_SIZE = 2048;
export const LSD_HOP = 512;
/**
 * Power floor of the log-spectral distance: 1e-10 is −100 dB relative to a unit-variance white noise bin
 * (powers are divided by the window energy, see powerSpectrogram), below anything audible in a 24-bit sample,
 * so near-silent tails do not dominate the distance with the ratio of two round-off noises.
 */
export const LSD_EPSILON = 1e-10;

/**
 * Log-spectral distance in dB: with P, P̂ the power spectrograms (FFT 2048, hop 512, Hann),
 *   LSD = mean over frames f of sqrt( mean over bins k of (10·log10((P[f,k] + ε)/(P̂[f,k] + ε)))² ).
 * Identical inputs give 0; a copy scaled by a gives ≈ |20·log10 a|.
 */
export function logSpectralDistance(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  fftSize = LSD_FFT_SIZE,
  hop = LSD_HOP,
  epsilon = LSD_EPSILON,
): number {
  checkSameLength(x, y, 'logSpectralDistance');
  const p = powerSpectrogram(x, fftSize, hop);
  const q = powerSpectrogram(y, fftSize, hop);
  let total = 0;
  for (let f = 0; f < p.frames; f++) {
    let s = 0;
    for (let k = 0; k < p.bins; k++) {
      const i = f * p.bins + k;
      const d = 10 * Math.log10((p.data[i]! + epsilon) / (q.data[i]! + epsilon));
      s += d * d;
    }
    total += Math.sqrt(s / p.bins);
  }
  return total / p.frames;
}

function checkSameLength(x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (x.length !== y.length) {
    throw new RangeError(`${what}: the two signals differ in length (${x.length} vs ${y.length} samples)`);
  }
}
