/**
 * Percentile bootstrap intervals for set-level metrics: resample each set's indices with replacement, recompute
 * the statistic from cached per-sample values (feature vectors, bin assignments, distances; never the audio),
 * and take the central `level` share of the recomputed values.
 */
import { Rng } from '../util/rng';

/** Resamples and level of every interval `sampgen evaluate` reports (docs/metrics.md). */
export const BOOTSTRAP_RESAMPLES = 200;
export const BOOTSTRAP_LEVEL = 0.95;

export interface Interval {
  low: number;
  high: number;
}

/**
 * The p-quantile (0 ≤ p ≤ 1) of values already sorted ascending, by linear interpolation between the order
 * statistics at h = (n − 1)·p (numpy's default, "linear"); NaN for an empty list.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile: p must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Indices 0..n−1 drawn n times with replacement. */
export function resampleIndices(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(n);
  return out;
}

/** Options of bootstrapInterval. */
export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  /** The statistic on the full sets: the interval is moved by the bootstrap's bias estimate relative to it. */
  estimate: number;
  /** The statistic's range (e.g. [0, ∞) for a distance): the interval is clamped to it. */
  min?: number;
  max?: number;
}

/**
 * A bias-corrected percentile bootstrap interval: `resamples` times, draw each set's indices with replacement
 * (sets of `sizes[i]` samples, independently) and evaluate `statistic` on them; take the (1 − level)/2 and
 * (1 + level)/2 quantiles q_lo, q_hi of the finite results and move them by the bootstrap's bias estimate
 * b = median − estimate: [q_lo − b, q_hi − b], clamped to [min, max]. The move matters for distances between
 * sets: a resample repeats samples, which inflates a Fréchet distance the way a smaller set would, so the raw
 * percentile interval of a Fréchet distance can lie wholly above its own estimate. Seeded by `rng`.
 */
export function bootstrapInterval(
  sizes: readonly number[],
  statistic: (indices: Int32Array[]) => number,
  rng: Rng,
  options: BootstrapOptions,
): Interval {
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = options.level ?? BOOTSTRAP_LEVEL;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const v = statistic(sizes.map((n) => resampleIndices(n, rng)));
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const bias = quantileSorted(values, 0.5) - options.estimate;
  const clamp = (x: number) => Math.min(options.max ?? Infinity, Math.max(options.min ?? -Infinity, x));
  return { low: clamp(quantileSorted(values, (1 - level) / 2) - bias), high: clamp(quantileSorted(values, (1 + level) / 2) - bias) };
}
