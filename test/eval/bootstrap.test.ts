import { bootstrapInterval, quantileSorted } from '../../src/eval/bootstrap';
import { Rng } from '../../src/util/rng';

describe('quantiles', () => {
  it('interpolates linearly between order statistics, as numpy does by default', () => {
    // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.99, 1]) = [1, 1.75, 2.5, 3.97, 4]
    const v = [1, 2, 3, 4];
    expect([0, 0.25, 0.5, 0.99, 1].map((p) => quantileSorted(v, p))).toEqual([1, 1.75, 2.5, expect.closeTo(3.97, 12), 4]);
    expect(quantileSorted([7], 0.3)).toBe(7);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe('bootstrap interval', () => {
  const rng = new Rng(11);
  const n = 400;
  const x = Array.from({ length: n }, () => 5 + 2 * rng.normal());
  const mean = (idx: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < idx.length; i++) s += x[idx[i]!]!;
    return s / idx.length;
  };
  const all = Array.from({ length: n }, (_, i) => i);

  it('of a mean matches the normal-theory interval mean ± 1.96·s/√n', () => {
    const m = mean(all);
    const s = Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
    const half = (1.959964 * s) / Math.sqrt(n);
    const interval = bootstrapInterval([n], ([i]) => mean(i!), new Rng(3), { resamples: 1000, estimate: m });
    // 1000 resamples pin each end to a few percent of the half-width
    expect(interval.low).toBeCloseTo(m - half, 1);
    expect(interval.high).toBeCloseTo(m + half, 1);
    expect(Math.abs(interval.high - interval.low - 2 * half)).toBeLessThan(0.1 * 2 * half);
  });

  it('is reproducible for a seed and clamped to the statistic’s range', () => {
    const f = ([i]: Int32Array[]) => mean(i!) - 5;
    const a = bootstrapInterval([n], f, new Rng(9), { resamples: 50, estimate: mean(all) - 5, min: 0 });
    const b = bootstrapInterval([n], f, new Rng(9), { resamples: 50, estimate: mean(all) - 5, min: 0 });
    expect(a).toEqual(b);
    expect(a.low).toBeGreaterThanOrEqual(0);
  });

  it('moves a biased statistic’s interval back over its estimate', () => {
    // A statistic that every resample inflates by 10 (as repeated samples inflate a Fréchet distance): the raw
    // percentiles would lie wholly above the estimate; the moved interval is centred on it.
    const est = mean(all);
    const interval = bootstrapInterval([n], ([i]) => mean(i!) + 10, new Rng(4), { resamples: 400, estimate: est });
    expect(interval.low).toBeLessThan(est);
    expect(interval.high).toBeGreaterThan(est);
  });
});
