/**
 * Peak alignment: shift a one-shot so that its loudest sample sits at a fixed index (the "attack"), as the
 * study does with `np.argmax(np.abs(sample))` followed by a cut or a zero pad at the start.
 */

/** The first index of the largest absolute value (numpy's argmax picks the first of ties too); -1 when empty. */
export function peakIndex(x: Float32Array): number {
  if (x.length === 0) return -1;
  let best = 0;
  let bestAbs = Math.abs(x[0]!);
  for (let i = 1; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    // Strictly greater keeps the first of equal peaks.
    if (a > bestAbs) {
      bestAbs = a;
      best = i;
    }
  }
  return best;
}

/**
 * peakAlign then trimToLength in one allocation: the `length` samples that start `peak − attack` samples into `x`
 * (zeros where that window lies outside `x`), `peak` being x's peak index. The study's chain's result, without the
 * intermediate copy (a dataset row is written once).
 */
export function placePeak(x: Float32Array, peak: number, attackSamples: number, length: number): Float32Array {
  if (!Number.isInteger(attackSamples) || attackSamples < 0) {
    throw new RangeError(`placePeak: attack must be a non-negative integer sample count, got ${attackSamples}`);
  }
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`placePeak: length must be a non-negative integer, got ${length}`);
  if (!Number.isInteger(peak) || peak < 0 || peak >= x.length) throw new RangeError(`placePeak: peak ${peak} outside 0..${x.length - 1}`);
  const out = new Float32Array(length);
  const start = peak - attackSamples; // index into x of out[0]; negative: zeros first
  const from = Math.max(0, start);
  const to = Math.min(x.length, start + length);
  if (to > from) out.set(x.subarray(from, to), from - start);
  return out;
}

/**
 * A new array in which the peak of `x` lies exactly at index `attackSamples`: samples before `peak - attack`
 * are dropped when the peak comes late, zeros are prepended when it comes early, and the values are copied as
 * they are when it is already there. An empty input gives an empty output (it has no peak to place).
 */
export function peakAlign(x: Float32Array, attackSamples: number): Float32Array {
  if (!Number.isInteger(attackSamples) || attackSamples < 0) {
    throw new RangeError(`peakAlign: attack must be a non-negative integer sample count, got ${attackSamples}`);
  }
  const peak = peakIndex(x);
  if (peak < 0) return new Float32Array(0);
  if (peak > attackSamples) return x.slice(peak - attackSamples);
  if (peak < attackSamples) {
    const gap = attackSamples - peak;
    const out = new Float32Array(x.length + gap);
    out.set(x, gap);
    return out;
  }
  return x.slice();
}
