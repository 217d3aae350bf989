import { frechetDistance, frechetDistanceOfFeatures, fitGaussian } from '../../src/eval/frechet';
import { matMul, meanAndCovariance, sqrtmPsd, symmetricEigen } from '../../src/eval/linalg';
import { Rng } from '../../src/util/rng';

/** A random symmetric PSD matrix B·Bᵀ of rank `rank` (rank < n gives a singular one). */
function randomPsd(n: number, rank: number, rng: Rng): Float64Array {
  const b = new Float64Array(n * rank);
  for (let i = 0; i < b.length; i++) b[i] = rng.normal();
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += b[i * rank + k]! * b[j * rank + k]!;
      a[i * n + j] = s;
    }
  }
  return a;
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('mean and covariance', () => {
  it('matches the hand-computed unbiased estimate', () => {
    const { mean, cov, dim } = meanAndCovariance([
      [1, 2],
      [3, 6],
      [5, 4],
    ]);
    expect(dim).toBe(2);
    expect(Array.from(mean)).toEqual([3, 4]);
    // deviations (−2,−2), (0,2), (2,0): Σ = [[8, 4], [4, 8]] / 2
    expect(Array.from(cov)).toEqual([4, 2, 2, 4]);
  });
});

describe('symmetric eigendecomposition (Householder + implicit QL)', () => {
  it('finds the eigenvalues of a known 2×2 matrix', () => {
    const { values } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 12), expect.closeTo(3, 12)]);
  });

  it('reconstructs A = V·diag(λ)·Vᵀ with orthonormal V', () => {
    const n = 12;
    const a = randomPsd(n, n, new Rng(3));
    const { values, vectors } = symmetricEigen(a, n);
    const vd = new Float64Array(n * n);
    const vt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        vd[i * n + j] = vectors[i * n + j]! * values[j]!;
        vt[j * n + i] = vectors[i * n + j]!;
      }
    }
    expect(maxAbsDiff(matMul(vd, vt, n), a)).toBeLessThan(1e-10);
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    expect(maxAbsDiff(matMul(vt, vectors, n), identity)).toBeLessThan(1e-12);
  });
});

describe('sqrtm of a PSD matrix', () => {
  it('squares back to A, for a full-rank and a singular matrix', () => {
    const rng = new Rng(4);
    for (const rank of [10, 4]) {
      const a = randomPsd(10, rank, rng);
      const r = sqrtmPsd(a, 10);
      expect(maxAbsDiff(matMul(r, r, 10), a)).toBeLessThan(1e-9);
      expect(maxAbsDiff(r, Float64Array.from({ length: 100 }, (_, i) => r[(i % 10) * 10 + Math.floor(i / 10)]!))).toBeLessThan(1e-12);
    }
  });

  it('is the element-wise root of a diagonal matrix', () => {
    const r = sqrtmPsd(Float64Array.from([4, 0, 0, 0, 9, 0, 0, 0, 0]), 3);
    expect(Array.from(r)).toEqual([2, 0, 0, 0, 3, 0, 0, 0, 0]);
  });
});

describe('Fréchet distance', () => {
  it('equals (μ1 − μ2)² + (σ1 − σ2)² for two 1-D Gaussians', () => {
    const a = { mean: Float64Array.from([1.5]), cov: Float64Array.from([4]), dim: 1 };
    const b = { mean: Float64Array.from([-0.5]), cov: Float64Array.from([0.25]), dim: 1 };
    expect(frechetDistance(a, b)).toBeCloseTo((1.5 + 0.5) ** 2 + (2 - 0.5) ** 2, 12);
  });

  it('equals the 1-D formula on the sample mean and standard deviation of fitted features', () => {
    const rng = new Rng(5);
    const x = Array.from({ length: 200 }, () => [2 + 3 * rng.normal()]);
    const y = Array.from({ length: 150 }, () => [-1 + 0.5 * rng.normal()]);
    const stat = (v: number[][]) => {
      const m = v.reduce((s, r) => s + r[0]!, 0) / v.length;
      const sd = Math.sqrt(v.reduce((s, r) => s + (r[0]! - m) ** 2, 0) / (v.length - 1));
      return [m, sd] as const;
    };
    const [m1, s1] = stat(x);
    const [m2, s2] = stat(y);
    expect(frechetDistanceOfFeatures(x, y)).toBeCloseTo((m1 - m2) ** 2 + (s1 - s2) ** 2, 9);
  });

  it('sums per-dimension terms for diagonal covariances', () => {
    const a = { mean: Float64Array.from([0, 0, 0]), cov: Float64Array.from([1, 0, 0, 0, 4, 0, 0, 0, 9]), dim: 3 };
    const b = { mean: Float64Array.from([1, 0, 2]), cov: Float64Array.from([4, 0, 0, 0, 4, 0, 0, 0, 1]), dim: 3 };
    expect(frechetDistance(a, b)).toBeCloseTo(1 + 4 + (1 + 0 + 4), 10);
  });

  it('matches Tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2}) computed another way for commuting covariances', () => {
    // Σ2 = Σ1² commutes with Σ1, so (Σ1Σ2)^{1/2} = Σ1^{3/2} and Tr = Σ λ^{3/2} over Σ1's eigenvalues.
    const n = 6;
    const s1 = randomPsd(n, n, new Rng(6));
    const s2 = matMul(s1, s1, n);
    const { values } = symmetricEigen(s1, n);
    let expected = 0;
    for (const l of values) expected += l + l * l - 2 * l ** 1.5;
    const g = (cov: Float64Array) => ({ mean: new Float64Array(n), cov, dim: n });
    expect(frechetDistance(g(s1), g(s2))).toBeCloseTo(expected, 6);
  });

  it('is ≈ 0 for identical sets even with singular covariances (fewer samples than dimensions)', () => {
    const rng = new Rng(7);
    const features = Array.from({ length: 20 }, () => Float64Array.from({ length: 64 }, () => 10 * rng.normal() - 40));
    const stats = fitGaussian(features);
    let trace = 0;
    for (let i = 0; i < 64; i++) trace += stats.cov[i * 64 + i]!;
    const d = frechetDistanceOfFeatures(features, features);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThan(1e-8 * trace);
  });
});
