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
