/** Small helpers for sets of feature vectors: distances and per-dimension standardisation. */

/** Squared Euclidean distance Σ (a[i] − b[i])². */
export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

/**
 * A z-scoring fitted on a reference set: z[i] = (v[i] − mean[i]) / std[i], with std the population standard
 * deviation of dimension i over the reference, or 1 where the reference does not vary (so a constant dimension
 * contributes its raw difference instead of dividing by zero). Distances in the raw log-mel space would be
 * dominated by the few dimensions with the largest spread; after z-scoring every dimension counts alike.
 */
export function fitStandardizer(reference: readonly ArrayLike<number>[]): (v: ArrayLike<number>) => Float64Array {
  if (reference.length === 0) throw new RangeError('fitStandardizer: the reference set is empty');
  const dim = reference[0]!.length;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  for (const r of reference) for (let i = 0; i < dim; i++) mean[i]! += r[i]!;
  for (let i = 0; i < dim; i++) mean[i]! /= reference.length;
  for (const r of reference) for (let i = 0; i < dim; i++) std[i]! += (r[i]! - mean[i]!) ** 2;
  for (let i = 0; i < dim; i++) {
    const s = Math.sqrt(std[i]! / reference.length);
    std[i] = s > 0 ? s : 1;
  }
  return (v) => {
    if (v.length !== dim) throw new RangeError(`standardizer: expected ${dim} values, got ${v.length}`);
    const out = new Float64Array(dim);
    for (let i = 0; i < dim; i++) out[i] = (v[i]! - mean[i]!) / std[i]!;
    return out;
  };
}
