/**
 * Per-pixel-column min/max envelope of a signal: how a waveform with far more samples than pixels is drawn
 * without losing peaks (plain decimation would skip a one-sample click) and in time linear in the length.
 */

export interface Envelope {
  min: Float32Array;
  max: Float32Array;
}

/**
 * Column c covers samples floor(c·n/columns) … floor((c+1)·n/columns), the last index included: each column
 * shares its boundary sample with the next, so the drawn envelope stays connected across steep edges the way a
 * polyline through the samples would be. When there are fewer samples than columns, columns repeat samples.
 * Non-finite samples are skipped; a column with none left has NaN min and max (drawn as a gap).
 */
export function minMaxEnvelope(samples: ArrayLike<number>, columns: number): Envelope {
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  const n = samples.length;
  const min = new Float32Array(columns).fill(Number.NaN);
  const max = new Float32Array(columns).fill(Number.NaN);
  if (n === 0) return { min, max };
  for (let c = 0; c < columns; c++) {
    const start = Math.min(n - 1, Math.floor((c * n) / columns));
    const end = Math.min(n - 1, Math.max(start, Math.floor(((c + 1) * n) / columns)));
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = start; i <= end; i++) {
      const v = samples[i] as number;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo <= hi) {
      min[c] = lo;
      max[c] = hi;
    }
  }
  return { min, max };
}

/** Largest absolute finite value (0 for silence or an empty signal). */
export function peakAbs(samples: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = Math.abs(samples[i] as number);
    if (Number.isFinite(v) && v > peak) peak = v;
  }
  return peak;
}
