import { peakAlign, peakIndex, placePeak } from '../../src/preprocess/peak-align';

describe('peakIndex', () => {
  it('finds the largest absolute value, negative peaks included', () => {
    expect(peakIndex(Float32Array.from([0.1, -0.9, 0.5]))).toBe(1);
    expect(peakIndex(Float32Array.from([0.3]))).toBe(0);
  });

  it('returns the first index on ties (like numpy argmax), whatever the sign', () => {
    expect(peakIndex(Float32Array.from([0, 0.5, -0.8, 0.8, -0.8]))).toBe(2);
    expect(peakIndex(new Float32Array(4))).toBe(0);
  });

  it('is -1 for an empty signal', () => {
    expect(peakIndex(new Float32Array(0))).toBe(-1);
  });
});

describe('peakAlign', () => {
  // A ramp with its peak at index 6: value i / 10 except the peak.
  const x = Float32Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5, -1, 0.2, 0.1, 0]);

  it('drops the start when the peak comes after the attack index', () => {
    const y = peakAlign(x, 2);
    expect(peakIndex(y)).toBe(2);
    expect(Array.from(y)).toEqual(Array.from(x.subarray(4)));
  });

  it('prepends zeros when the peak comes before the attack index', () => {
    const y = peakAlign(x, 9);
    expect(peakIndex(y)).toBe(9);
    expect(y.length).toBe(x.length + 3);
    expect(Array.from(y.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(y.subarray(3))).toEqual(Array.from(x));
  });

  it('keeps the values (as a copy) when the peak is already at the attack index', () => {
    const y = peakAlign(x, 6);
    expect(Array.from(y)).toEqual(Array.from(x));
    expect(y).not.toBe(x);
  });

  it('aligns the first of tied peaks, and attack 0 puts the peak first', () => {
    const tied = Float32Array.from([0.2, 0.7, 0, -0.7, 0.7]);
    expect(Array.from(peakAlign(tied, 0))).toEqual(Array.from(tied.subarray(1)));
    expect(peakIndex(peakAlign(tied, 3))).toBe(3);
    expect(Array.from(peakAlign(tied, 3).subarray(0, 2))).toEqual([0, 0]);
  });

  it('places the peak exactly for every attack in a range', () => {
    for (let attack = 0; attack < 20; attack++) {
      const y = peakAlign(x, attack);
      expect(peakIndex(y)).toBe(attack);
      expect(y[attack]).toBe(x[6]);
      expect(y.length).toBe(x.length - 6 + attack);
    }
  });

  it('gives an empty signal back empty and rejects a bad attack', () => {
    expect(peakAlign(new Float32Array(0), 5).length).toBe(0);
    expect(() => peakAlign(x, -1)).toThrow(/non-negative integer/);
    expect(() => peakAlign(x, 1.5)).toThrow(/non-negative integer/);
  });
});

describe('placePeak', () => {
  // The pipeline's one-allocation form of the study's chain must equal the two steps it replaces.
  const { trimToLength } = require('../../src/preprocess/trim') as typeof import('../../src/preprocess/trim');
  const { Rng } = require('../../src/util/rng') as typeof import('../../src/util/rng');

  it('equals trimToLength(peakAlign(x, attack), length) for early, late and exact peaks, long and short inputs', () => {
    const rng = new Rng(4);
    let cases = 0;
    for (const n of [1, 2, 7, 40, 100]) {
      for (const attack of [0, 1, 5, 30, 120]) {
        for (const length of [0, 1, 10, 64, 200]) {
          const x = Float32Array.from({ length: n }, () => rng.uniform(-0.5, 0.5));
          x[rng.int(n)] = 0.9; // one clear peak somewhere
          const want = trimToLength(peakAlign(x, attack), length);
          expect(Array.from(placePeak(x, peakIndex(x), attack, length))).toEqual(Array.from(want));
          cases++;
        }
      }
    }
    expect(cases).toBe(125);
  });

  it('rejects a peak outside the signal and bad counts', () => {
    const x = Float32Array.from([0, 1, 0]);
    expect(() => placePeak(x, 3, 1, 4)).toThrow(/peak 3 outside 0\.\.2/);
    expect(() => placePeak(x, 1, -1, 4)).toThrow(/attack/);
    expect(() => placePeak(x, 1, 1, 2.5)).toThrow(/length/);
  });
});
