/**
 * k-means with k-means++ seeding from an explicit Rng, for NDB's bins. Hand-written because it is ~60 lines and
 * must draw its randomness from the project's seeded generator (results reproducible from a seed).
 */
import type { Rng } from '../util/rng';
import { squaredDistance } from './vectors';

export interface KMeansResult {
  centroids: Float64Array[];
  /** Index of the nearest centroid of each input point. */
  assignments: Int32Array;
  /** Lloyd iterations run until the assignments stopped changing (or the limit). */
  iterations: number;
}

/** Index of the centroid nearest to `point` (the first of ties). */
export function nearestCentroid(point: ArrayLike<number>, centroids: readonly ArrayLike<number>[]): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]!);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/**
 * Lloyd's k-means seeded by k-means++ (first centre uniform, each next one drawn with probability ∝ D², the
 * squared distance to the nearest chosen centre; uniform when every point already coincides with a centre).
 * A cluster that empties keeps its previous centroid. Stops when no assignment changes or after maxIterations.
 */
export function kMeans(
  points: readonly ArrayLike<number>[],
  k: number,
  rng: Rng,
  maxIterations = 100,
): KMeansResult {
  const n = points.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`kMeans: k must be in 1 … ${n}, got ${k}`);
  const dim = points[0]!.length;
  const centroids: Float64Array[] = [Float64Array.from(points[rng.int(n)]!)];
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = squaredDistance(points[i]!, centroids[0]!);
  while (centroids.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i]!;
    let pick = n - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        r -= d2[i]!;
        if (r < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = rng.int(n);
    }
    const c = Float64Array.from(points[pick]!);
    centroids.push(c);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i]!, squaredDistance(points[i]!, c));
  }
  const assignments = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const a = nearestCentroid(points[i]!, centroids);
      if (a !== assignments[i]) {
        assignments[i] = a;
        changed = true;
      }
    }
    if (!changed) break;
    const sums = centroids.map(() => new Float64Array(dim));
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const a = assignments[i]!;
      counts[a]!++;
      const p = points[i]!;
      const s = sums[a]!;
      for (let j = 0; j < dim; j++) s[j]! += p[j]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c]! === 0) continue;
      for (let j = 0; j < dim; j++) centroids[c]![j] = sums[c]![j]! / counts[c]!;
    }
  }
  return { centroids, assignments, iterations };
}
