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

/** Fréchet distance between Gaussians fitted to two feature sets. */
export function frechetDistanceOfFeatures(
  real: readonly ArrayLike<number>[],
  generated: readonly ArrayLike<number>[],
): number {
  return frechetDistance(fitGaussian(real), fitGaussian(generated));
}
