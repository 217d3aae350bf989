import { decimalsFor, formatTick, niceDomain, niceStep, niceTicks } from '../../../src/eval/plot/ticks';
import { Rng } from '../../../src/util/rng';

/** True when v is 1, 2 or 5 times a power of ten. */
function isNice(v: number): boolean {
  const m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
  return [1, 2, 5].some((k) => Math.abs(m - k) < 1e-9);
}

describe('niceStep / niceTicks', () => {
  it('picks the nearest 1/2/5 × 10^k step', () => {
    expect(niceStep(0, 1, 5)).toBeCloseTo(0.2, 12);
    expect(niceStep(0, 10, 5)).toBe(2);
    expect(niceStep(0, 100, 5)).toBe(20);
    expect(niceStep(0, 7, 5)).toBe(1); // raw 1.4 → 1
    expect(niceStep(0, 0.37, 5)).toBeCloseTo(0.1, 12); // raw 0.074 → 0.1
    expect(niceStep(0, 35, 5)).toBe(5); // raw 7 → 5 (7 < √50)
  });

  it('gives clean multiples of the step inside the range', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-1.3, 2.7)).toEqual([-1, 0, 1, 2]);
    expect(niceTicks(0, 0.6)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]);
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceTicks(5, -5, 4)).toEqual([-4, -2, 0, 2, 4]);
  });

  it('always yields nice, evenly spaced ticks within range for arbitrary ranges', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 500; trial++) {
      const scale = Math.pow(10, rng.int(12) - 6);
      const a = (rng.uniform() * 2 - 1) * scale;
      const b = a + rng.uniform() * scale + 1e-3 * scale;
      const target = 2 + rng.int(9);
      const ticks = niceTicks(a, b, target);
      const step = niceStep(a, b, target);
      expect(isNice(step)).toBe(true);
      expect(ticks.length).toBeGreaterThanOrEqual(1);
      expect(ticks.length).toBeLessThanOrEqual(Math.ceil(target * Math.sqrt(2)) + 2);
      for (const t of ticks) {
        expect(t).toBeGreaterThanOrEqual(a - step * 1e-6);
        expect(t).toBeLessThanOrEqual(b + step * 1e-6);
        expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-6);
      }
      for (let i = 1; i < ticks.length; i++) expect((ticks[i] as number) - (ticks[i - 1] as number)).toBeCloseTo(step, 9);
    }
  });

  it('niceDomain widens outwards to tick multiples', () => {
    expect(niceDomain(0.013, 0.087)).toEqual([0, 0.1]);
    expect(niceDomain(3, 97)).toEqual([0, 100]);
    expect(niceDomain(-0.3, 0.3)).toEqual([-0.3, 0.3]);
    const [lo, hi] = niceDomain(4, 4);
    expect(lo).toBeLessThan(4);
    expect(hi).toBeGreaterThan(4);
  });
});

describe('tick labels', () => {
  it('uses as many decimals as the step needs and no float noise', () => {
    expect(decimalsFor(0.05)).toBe(2);
    expect(decimalsFor(20)).toBe(0);
    expect(formatTick(0.1 + 0.2, 0.1)).toBe('0.3');
    expect(formatTick(0, 0.5)).toBe('0.0');
    expect(formatTick(-0.04, 0.1)).toBe('0.0');
    expect(formatTick(20, 5)).toBe('20');
    expect(formatTick(0.25, 0.05)).toBe('0.25');
  });

  it('switches to exponent form for very small or large values', () => {
    expect(formatTick(0.00002, 0.00001)).toBe('2e-5');
    expect(formatTick(2500000, 500000)).toBe('2.5e6');
  });
});
