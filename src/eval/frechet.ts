/**
 * Fréchet distance between Gaussians fitted to two sets of feature vectors — the formula of FID/FAD, here on
 * log-mel statistics instead of a pretrained network's embedding.
 */
import { matMul, meanAndCovariance, symmetricEigen, sqrtmPsd } from './linalg';

export interface GaussianStats {
  mean: Float64Array;
  /** dim×dim row-major covariance. */
  cov: Float64Array;
  dim: number;
}

/** Mean and unbiased covariance of a set of feature vectors (>= 2 of them). */
export function fitGaussian(features: readonly ArrayLike<number>[]): GaussianStats {
  return meanAndCovariance(features);
}

/**
 * d² = ‖μ1 − μ2‖² + Tr(Σ1) + Tr(Σ2) − 2·Tr((Σ1·Σ2)^{1/2}).
 * The trace term is computed as Σ sqrt(λ_i) over the eigenvalues of the symmetric PSD matrix Σ1^{1/2}·Σ2·Σ1^{1/2},
 * which is similar to Σ1·Σ2 and so has the same square-root trace; unlike scipy's sqrtm of the non-symmetric
 * product it needs no inverse, so singular covariances are fine (negative round-off eigenvalues clamp to 0).
 * The result is clamped at 0 against round-off for (near-)identical sets.
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: dimensions differ (${a.dim} vs ${b.dim})`);
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let trA = 0;
  let trB = 0;
  for (let i = 0; i < n; i++) {
    trA += a.cov[i * n + i]!;
    trB += b.cov[i * n + i]!;
  }
  const rootA = sqrtmPsd(a.cov, n);
  const inner = matMul(matMul(rootA, b.cov, n), rootA, n);
  const { values } = symmetricEigen(inner, n);
  let trSqrt = 0;
  for (const v of values) trSqrt += Math.sqrt(Math.max(v, 0));
  return Math.max(0, meanTerm + trA + trB - 2 * trSqrt);
}

/**
 * Fréchet distance between Gaussians fitted to two feature sets. When a set has fewer vectors than dimensions
 * the same number comes from the sample space instead: with Aᵢ the centred vectors of set i divided by
 * sqrt(nᵢ − 1) (so Σᵢ = AᵢᵀAᵢ), Tr(Σᵢ) = ‖Aᵢ‖²_F and the nonzero eigenvalues of Σ₁Σ₂ are those of M·Mᵀ with
 * M = A₁A₂ᵀ, so Tr((Σ₁Σ₂)^{1/2}) is the sum of M's singular values — an eigenproblem of min(n₁, n₂) instead of
 * the dimension, which keeps a bootstrap of small sets cheap.
 */
export function frechetDistanceOfFeatures(
  real: readonly ArrayLike<number>[],
  generated: readonly ArrayLike<number>[],
): number {
  const dim = real[0]?.length ?? 0;
  if (Math.min(real.length, generated.length) < dim) return frechetDistanceInSampleSpace(real, generated);
  return frechetDistance(fitGaussian(real), fitGaussian(generated));
}

/** Rows (x − mean)/sqrt(n − 1) of a set, n×dim row-major, and the mean. */
function centredScaled(set: readonly ArrayLike<number>[]): { rows: Float64Array; mean: Float64Array; n: number } {
  const n = set.length;
  if (n < 2) throw new RangeError(`frechetDistance: need at least 2 vectors per set, got ${n}`);
  const dim = set[0]!.length;
  const mean = new Float64Array(dim);
  for (const v of set) {
    if (v.length !== dim) throw new RangeError(`frechetDistance: vectors differ in length (${dim} vs ${v.length})`);
    for (let i = 0; i < dim; i++) mean[i]! += v[i]!;
  }
  for (let i = 0; i < dim; i++) mean[i]! /= n;
  const scale = 1 / Math.sqrt(n - 1);
  const rows = new Float64Array(n * dim);
  set.forEach((v, r) => {
    for (let i = 0; i < dim; i++) rows[r * dim + i] = (v[i]! - mean[i]!) * scale;
  });
  return { rows, mean, n };
}

function frechetDistanceInSampleSpace(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  const A = centredScaled(a);
  const B = centredScaled(b);
  const dim = A.mean.length;
  if (B.mean.length !== dim) throw new RangeError(`frechetDistance: dimensions differ (${dim} vs ${B.mean.length})`);
  let meanTerm = 0;
  for (let i = 0; i < dim; i++) meanTerm += (A.mean[i]! - B.mean[i]!) ** 2;
  let trA = 0;
  for (const v of A.rows) trA += v * v;
  let trB = 0;
  for (const v of B.rows) trB += v * v;
  // M = A·Bᵀ (nA × nB); K = M·Mᵀ or Mᵀ·M, whichever is smaller, has the squared singular values of M.
  const m = new Float64Array(A.n * B.n);
  for (let i = 0; i < A.n; i++) {
    for (let j = 0; j < B.n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += A.rows[i * dim + k]! * B.rows[j * dim + k]!;
      m[i * B.n + j] = s;
    }
  }
  const small = Math.min(A.n, B.n);
  const k = new Float64Array(small * small);
  for (let i = 0; i < small; i++) {
    for (let j = i; j < small; j++) {
      let s = 0;
      if (A.n <= B.n) for (let t = 0; t < B.n; t++) s += m[i * B.n + t]! * m[j * B.n + t]!;
      else for (let t = 0; t < A.n; t++) s += m[t * B.n + i]! * m[t * B.n + j]!;
      k[i * small + j] = s;
      k[j * small + i] = s;
    }
  }
  const { values } = symmetricEigen(k, small);
  let trSqrt = 0;
  for (const v of values) trSqrt += Math.sqrt(Math.max(v, 0));
  return Math.max(0, meanTerm + trA + trB - 2 * trSqrt);
}
