/**
 * Axis tick generation: "nice numbers" (1, 2 or 5 × 10^k) so that tick labels are short and read at a glance.
 * Pure functions, no drawing: the raster plots' axes, the charts' colour-bar label format, the audition pad.
 *
 * Hand-written rather than taken from d3-scale: the algorithm is a dozen lines and d3 is ESM-only, which this
 * CommonJS project cannot require.
 */

/** The nice step (1, 2 or 5 × 10^k) closest to splitting [min, max] into about `target` intervals. */
export function niceStep(min: number, max: number, target = 5): number {
  const span = Math.abs(max - min);
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, target);
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const normalized = raw / magnitude;
  // Thresholds halfway (geometrically) between the candidates, so the chosen step is the nearest one.
  const nice = normalized < Math.sqrt(2) ? 1 : normalized < Math.sqrt(10) ? 2 : normalized < Math.sqrt(50) ? 5 : 10;
  return nice * magnitude;
}

/** Rounds away the binary noise of k × step (0.30000000000000004 → 0.3) so labels and equality tests are clean. */
function clean(value: number): number {
  const v = Number.parseFloat(value.toPrecision(12));
  return v === 0 ? 0 : v; // no -0
}

/** Multiples of niceStep(min, max, target) inside [min, max] (both ends included when they fall on a multiple). */
export function niceTicks(min: number, max: number, target = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  const lo = Math.min(min, max);
  const hi = Math.max(min, max);
  if (lo === hi) return [clean(lo)];
  const step = niceStep(lo, hi, target);
  const eps = step * 1e-9;
  const first = Math.ceil((lo - eps) / step);
  const last = Math.floor((hi + eps) / step);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(clean(k * step));
  return ticks;
}

/**
 * [min, max] widened outwards to multiples of its nice step, so an axis starts and ends on a labelled tick.
 * A zero-width range is widened around its value first (a constant loss still gets a readable axis).
 */
export function niceDomain(min: number, max: number, target = 5): [number, number] {
  let lo = Math.min(min, max);
  let hi = Math.max(min, max);
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(lo, hi, target);
  const eps = step * 1e-9;
  return [clean(Math.floor((lo + eps) / step) * step), clean(Math.ceil((hi - eps) / step) * step)];
}

/** Number of decimals that labels of ticks `step` apart need (0.05 → 2, 20 → 0). */
export function decimalsFor(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * A tick label: fixed notation with as many decimals as the step needs, or exponent notation (1e-5, 2e+6)
 * for values so small or large that fixed notation would be a long run of zeros.
 */
export function formatTick(value: number, step: number): string {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4)) return formatExponent(value);
  const text = value.toFixed(Math.min(20, decimalsFor(step)));
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text; // no "-0.0" for a value that rounds to zero

}

/** 1e-5, 2.5e+6 → "1e-5", "2.5e6": the shortest exponent form. */
export function formatExponent(value: number): string {
  const [mantissa, exponent] = value.toExponential().split('e');
  const m = Number.parseFloat(Number.parseFloat(mantissa ?? '0').toPrecision(3));
  const e = Number.parseInt(exponent ?? '0', 10);
  return `${m}e${e}`;
}
