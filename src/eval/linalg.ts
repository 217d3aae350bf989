/**
 * The little dense linear algebra the Fréchet distance needs: mean/covariance, a symmetric eigendecomposition
 * and the square root of a positive semi-definite matrix. Hand-written because no maintained linear-algebra
 * package is among the project's dependencies, and these ~100 lines (cyclic Jacobi) are easy to check: Jacobi
 * is slow (O(n³) per sweep) but unconditionally stable and accurate for symmetric matrices, and 128×128 takes a
 * fraction of a second. Matrices are row-major Float64Arrays of n×n values.
 */

/** Mean vector and unbiased (n − 1) covariance of the rows of `rows` (each a d-vector). Needs >= 2 rows. */
export function meanAndCovariance(rows: readonly ArrayLike<number>[]): { mean: Float64Array; cov: Float64Array; dim: number } {
  if (rows.length < 2) throw new RangeError(`meanAndCovariance: need at least 2 vectors, got ${rows.length}`);
  const dim = rows[0]!.length;
  for (const r of rows) {
    if (r.length !== dim) throw new RangeError(`meanAndCovariance: vectors differ in length (${dim} vs ${r.length})`);
  }
  const mean = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mean[i]! += r[i]!;
  for (let i = 0; i < dim; i++) mean[i]! /= rows.length;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (const r of rows) {
    for (let i = 0; i < dim; i++) c[i] = r[i]! - mean[i]!;
    for (let i = 0; i < dim; i++) {
      const ci = c[i]!;
      if (ci === 0) continue;
      for (let j = i; j < dim; j++) cov[i * dim + j]! += ci * c[j]!;
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j]! / (rows.length - 1);
      cov[i * dim + j] = v;
      cov[j * dim + i] = v;
    }
  }
  return { mean, cov, dim };
}

/** C = A·B for n×n row-major matrices. */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += aik * b[k * n + j]!;
    }
  }
  return c;
}

/**
 * Eigenvalues and eigenvectors of a symmetric n×n matrix by the cyclic Jacobi method: rotations
 * A ← Jᵀ·A·J that zero one off-diagonal element at a time, sweeping all pairs until the off-diagonal part is
 * below 1e-14 of the Frobenius norm. Returns A = V·diag(values)·Vᵀ with V's columns the eigenvectors
 * (row-major, so vector j is vectors[i*n + j] over i). Only the upper triangle of `a` needs to be meaningful;
 * the matrix is symmetrised as (A + Aᵀ)/2 first.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n}×${n} values, got ${a.length}`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let frob2 = 0;
  for (let i = 0; i < n * n; i++) frob2 += m[i]! * m[i]!;
  const tol2 = 1e-28 * frob2;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off <= tol2) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        // The smaller of the two rotation angles (|t| <= 1) keeps the rotation stable.
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!;
          const aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i]!;
  return { values, vectors: v };
}

/**
 * The principal square root of a symmetric positive semi-definite matrix: V·diag(sqrt(max(λ, 0)))·Vᵀ.
 * Eigenvalues that round-off made slightly negative are clamped to 0 (the matrix is PSD by construction), so
 * singular matrices — covariances of fewer samples than dimensions — need no ε·I regularisation here.
 */
export function sqrtmPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(values[k]!, 0));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * r;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += vik * vectors[j * n + k]!;
    }
  }
  return out;
}
