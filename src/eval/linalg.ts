/**
 * The little dense linear algebra the Fréchet distance needs: mean/covariance, a symmetric eigendecomposition
 * and the square root of a positive semi-definite matrix. Hand-written because no maintained linear-algebra
 * package is among the project's dependencies (ml-matrix's port of the same algorithm, on arrays of arrays, was
 * no faster than the Jacobi method this replaced), and the classic tred2/tql2 pair is short and checked against
 * closed forms in test/eval/linalg.test.ts. Matrices are row-major Float64Arrays of n×n values.
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
 * Eigenvalues and eigenvectors of a symmetric n×n matrix: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm with Wilkinson-like shifts (EISPACK's tred2/tql2, as in the public-domain JAMA
 * library). O(n³) with a small constant: a 64×64 covariance takes about a millisecond, which a bootstrap of the
 * Fréchet distance (hundreds of eigenproblems) needs; the cyclic Jacobi method used before took 20 ms.
 * Returns A = V·diag(values)·Vᵀ with V's columns the eigenvectors (row-major, so vector j is vectors[i*n + j]
 * over i), values in no particular order. The matrix is symmetrised as (A + Aᵀ)/2 first.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: expected ${n}×${n} values, got ${a.length}`);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) v[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: v };
  tridiagonalize(v, d, e, n);
  tridiagonalQl(v, d, e, n);
  return { values: d, vectors: v };
}

/** tred2: v (symmetric, row-major) → the orthogonal transform; d, e ← the tridiagonal's diagonal and subdiagonal. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  const V = (i: number, j: number) => v[i * n + j]!;
  for (let j = 0; j < n; j++) d[j] = V(n - 1, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = V(i - 1, j);
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      // The Householder vector, scaled against under- and overflow.
      for (let k = 0; k < i; k++) {
        d[k]! /= scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        v[j * n + i] = f;
        g = e[j]! + V(j, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += V(k, j) * d[k]!;
          e[k]! += V(k, j) * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j]! /= h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        for (let k = j; k <= i - 1; k++) v[k * n + j]! -= f * e[k]! + g * d[k]!;
        d[j] = V(i - 1, j);
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = V(i, i);
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = V(k, i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += V(k, i + 1) * V(k, j);
        for (let k = 0; k <= i; k++) v[k * n + j]! -= g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = V(n - 1, j);
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** tql2: diagonalises the tridiagonal (d, e) by implicit QL, accumulating the rotations into v. */
function tridiagonalQl(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n) {
      if (Math.abs(e[m]!) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iterations = 0;
      do {
        // QL converges in a few iterations per eigenvalue; a bound keeps a NaN input from looping forever.
        if (++iterations > 100) throw new Error('symmetricEigen: QL iteration did not converge (non-finite input?)');
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          for (let k = 0; k < n; k++) {
            const vk = k * n;
            h = v[vk + i + 1]!;
            v[vk + i + 1] = s * v[vk + i]! + c * h;
            v[vk + i] = c * v[vk + i]! - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
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
