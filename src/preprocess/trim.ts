/** Fixing a signal's length at the end: the study's final cut-or-pad step. */

/**
 * The first `length` samples of `x`, zero-padded at the end when `x` is shorter. Always a new array, so the
 * result never aliases the caller's buffer.
 */
export function trimToLength(x: Float32Array, length: number): Float32Array {
  if (!Number.isInteger(length) || length < 0) {
    throw new RangeError(`trimToLength: length must be a non-negative integer, got ${length}`);
  }
  if (x.length >= length) return x.slice(0, length);
  const out = new Float32Array(length);
  out.set(x);
  return out;
}
