import { minMaxEnvelope, peakAbs } from '../../../src/eval/plot/envelope';

describe('minMaxEnvelope', () => {
  it('gives each column the range of its samples, sharing boundary samples', () => {
    const ramp = Float32Array.from({ length: 100 }, (_, i) => i);
    const env = minMaxEnvelope(ramp, 10);
    for (let c = 0; c < 10; c++) {
      expect(env.min[c]).toBe(10 * c);
      expect(env.max[c]).toBe(Math.min(99, 10 * (c + 1)));
    }
  });

  it('keeps a one-sample click that decimation would skip', () => {
    const x = new Float32Array(1000);
    x[537] = -0.8;
    const env = minMaxEnvelope(x, 7);
    const col = Math.floor((537 * 7) / 1000);
    expect(env.min[col]).toBeCloseTo(-0.8, 6);
    expect(Array.from(env.min).filter((v) => v < 0)).toHaveLength(1);
  });

  it('repeats samples when there are fewer samples than columns', () => {
    // columns cover samples 0..0, 0..1, 1..1, 1..1: the step from 1 to -1 is drawn once, in column 1
    const env = minMaxEnvelope(Float32Array.from([1, -1]), 4);
    expect(Array.from(env.max)).toEqual([1, 1, -1, -1]);
    expect(Array.from(env.min)).toEqual([1, -1, -1, -1]);
  });

  it('skips non-finite samples and leaves empty columns as NaN', () => {
    const env = minMaxEnvelope(Float32Array.from([NaN, NaN, 0.5, 0.25]), 2);
    expect(env.min[0]).toBeCloseTo(0.5, 6); // column 0 covers samples 0..2
    expect(Number.isNaN(minMaxEnvelope(new Float32Array(0), 3).min[1] as number)).toBe(true);
  });

  it('rejects a non-positive column count', () => {
    expect(() => minMaxEnvelope(new Float32Array(4), 0)).toThrow(/columns/);
  });
});

describe('peakAbs', () => {
  it('is the largest absolute finite value', () => {
    expect(peakAbs(Float32Array.from([0.1, -0.7, NaN, 0.3]))).toBeCloseTo(0.7, 6);
    expect(peakAbs(new Float32Array(3))).toBe(0);
  });
});
