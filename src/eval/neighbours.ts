/** Nearest-neighbour distances in feature space: memorisation (generated → real) and diversity (within a set). */
import { squaredDistance } from './vectors';

/**
 * Mean over `queries` of the Euclidean distance to the nearest vector of `reference`:
 * (1/|Q|)·Σ_q min_r ‖q − r‖. Near 0 means the queries copy reference items (memorisation).
 */
export function meanNearestDistance(
  queries: readonly ArrayLike<number>[],
  reference: readonly ArrayLike<number>[],
): number {
  if (queries.length === 0 || reference.length === 0) {
    throw new RangeError(`meanNearestDistance: empty set (${queries.length} queries, ${reference.length} references)`);
  }
  let total = 0;
  for (const q of queries) {
    let best = Infinity;
    for (const r of reference) best = Math.min(best, squaredDistance(q, r));
    total += Math.sqrt(best);
  }
  return total / queries.length;
}

/**
 * Mean over the set of the distance from each vector to the nearest *other* vector of the same set (another
 * index; exact duplicates count as distance 0, which is what a diversity score should flag). Needs >= 2.
 */
export function meanNearestDistanceWithin(set: readonly ArrayLike<number>[]): number {
  if (set.length < 2) throw new RangeError(`meanNearestDistanceWithin: need at least 2 vectors, got ${set.length}`);
  const best = new Float64Array(set.length).fill(Infinity);
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      const d = squaredDistance(set[i]!, set[j]!);
      if (d < best[i]!) best[i] = d;
      if (d < best[j]!) best[j] = d;
    }
  }
  let total = 0;
  for (const b of best) total += Math.sqrt(b);
  return total / set.length;
}
