/**
 * Latent smoothness of a 2-D model: do neighbouring points of a grid over the latent space decode to similar
 * sounds? The study wanted a continuous space and could not get one; this puts a number on it.
 */
import type { Rng } from '../util/rng';
import { magnitudeSpectrogram } from './spectrum';

/** FFT size, hop and magnitude floor of the spectral distance used for smoothness. */
export const SMOOTHNESS_FFT_SIZE = 1024;
export const SMOOTHNESS_HOP = 256;
/** 1e-5 ≈ −100 dB below the magnitude of a full-scale bin: near-silent tails do not dominate the distance. */
export const SMOOTHNESS_EPSILON = 1e-5;

/**
 * log-magnitude spectrogram in dB, 20·log10(|X| + ε) at FFT 1024, hop 256, Hann (unnormalised magnitudes),
 * as one flat vector, so that the distance between two decodes is a plain RMS of a difference.
 */
export function logMagnitudeDb(x: ArrayLike<number>): Float64Array {
  const s = magnitudeSpectrogram(x, SMOOTHNESS_FFT_SIZE, SMOOTHNESS_HOP);
  const out = new Float64Array(s.data.length);
  for (let i = 0; i < out.length; i++) out[i] = 20 * Math.log10(s.data[i]! + SMOOTHNESS_EPSILON);
  return out;
}

/** Spectral distance in dB: sqrt(mean over frames and bins of (L_a − L_b)²) with L = logMagnitudeDb. */
export function logSpectralL2(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new RangeError(`logSpectralL2: spectrogram sizes differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return a.length > 0 ? Math.sqrt(s / a.length) : 0;
}

/** Result of latentSmoothness (snake_case numbers, ready for metrics.json). */
export interface SmoothnessResult {
  /** neighbour_mean / random_mean; 0 when the neighbour mean is 0 (a constant grid). */
  smoothness: number;
  /** Mean distance over all 4-neighbour pairs (right and down). */
  neighbour_mean: number;
  /** Mean distance over the random pairs. */
  random_mean: number;
  /** How many random pairs were measured. */
  random_pairs: number;
  /** The largest neighbour distance, in dB, and the same divided by random_mean (0 when that is 0). */
  max_jump: number;
  max_jump_ratio: number;
  /** Grid coordinates (row, column) of the two ends of the largest jump; the second is right of or below the first. */
  max_jump_row: number;
  max_jump_col: number;
  max_jump_row2: number;
  max_jump_col2: number;
}

/**
 * Smoothness of decodes on a rows×cols grid (grid[r][c], all the same length): the mean spectral distance
 * (logSpectralL2) between 4-neighbours divided by the mean distance between random pairs of distinct grid points.
 * Random pairs: every pair when there are at most `maxRandomPairs` of them (no randomness needed), otherwise
 * `maxRandomPairs` pairs (i ≠ j) drawn uniformly from `rng`. ≈ 1 when neighbours are no more alike than any two
 * points (a discontinuous space, e.g. noise), → 0 for a continuous one.
 */
export function latentSmoothness(
  grid: readonly (readonly ArrayLike<number>[])[],
  rng: Rng,
  maxRandomPairs = 2000,
): SmoothnessResult {
  const rows = grid.length;
  const cols = rows > 0 ? grid[0]!.length : 0;
  if (rows === 0 || cols === 0 || rows * cols < 2) {
    throw new RangeError(`latentSmoothness: the grid needs at least 2 points, got ${rows}×${cols}`);
  }
  const length = grid[0]![0]!.length;
  for (let r = 0; r < rows; r++) {
    if (grid[r]!.length !== cols) throw new RangeError(`latentSmoothness: row ${r} has ${grid[r]!.length} points, row 0 has ${cols}`);
    for (let c = 0; c < cols; c++) {
      if (grid[r]![c]!.length !== length) {
        throw new RangeError(`latentSmoothness: decode (${r}, ${c}) has ${grid[r]![c]!.length} samples, (0, 0) has ${length}`);
      }
    }
  }
  const spec = grid.map((row) => row.map((x) => logMagnitudeDb(x)));
  let neighbourSum = 0;
  let neighbourCount = 0;
  let maxJump = -1;
  const at = [0, 0, 0, 0];
  const visit = (r: number, c: number, r2: number, c2: number): void => {
    const d = logSpectralL2(spec[r]![c]!, spec[r2]![c2]!);
    neighbourSum += d;
    neighbourCount++;
    if (d > maxJump) {
      maxJump = d;
      at[0] = r;
      at[1] = c;
      at[2] = r2;
      at[3] = c2;
    }
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      if (c + 1 < cols) visit(r, c, r, c + 1);
      if (r + 1 < rows) visit(r, c, r + 1, c);
    }
  }
  const n = rows * cols;
  const flat = spec.flat();
  const allPairs = (n * (n - 1)) / 2;
  let randomSum = 0;
  let randomCount = 0;
  if (allPairs <= maxRandomPairs) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        randomSum += logSpectralL2(flat[i]!, flat[j]!);
        randomCount++;
      }
    }
  } else {
    for (let p = 0; p < maxRandomPairs; p++) {
      const i = rng.int(n);
      let j = rng.int(n - 1);
      if (j >= i) j++; // uniform over the other n − 1 points
      randomSum += logSpectralL2(flat[i]!, flat[j]!);
      randomCount++;
    }
  }
  const neighbourMean = neighbourSum / neighbourCount;
  const randomMean = randomSum / randomCount;
  return {
    smoothness: neighbourMean === 0 ? 0 : neighbourMean / randomMean,
    neighbour_mean: neighbourMean,
    random_mean: randomMean,
    random_pairs: randomCount,
    max_jump: maxJump,
    max_jump_ratio: randomMean > 0 ? maxJump / randomMean : 0,
    max_jump_row: at[0]!,
    max_jump_col: at[1]!,
    max_jump_row2: at[2]!,
    max_jump_col2: at[3]!,
  };
}
