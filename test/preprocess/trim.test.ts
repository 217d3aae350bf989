import { trimToLength } from '../../src/preprocess/trim';

describe('trimToLength', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5]);

  it('cuts the end of a longer signal', () => {
    expect(Array.from(trimToLength(x, 3))).toEqual([1, 2, 3]);
    expect(trimToLength(x, 0).length).toBe(0);
  });

  it('zero-pads the end of a shorter signal', () => {
    expect(Array.from(trimToLength(x, 8))).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    expect(Array.from(trimToLength(new Float32Array(0), 2))).toEqual([0, 0]);
  });

  it('copies a signal of exactly the length, never aliasing the input', () => {
    const y = trimToLength(x, 5);
    expect(Array.from(y)).toEqual([1, 2, 3, 4, 5]);
    y[0] = 99;
    expect(x[0]).toBe(1);
  });

  it('rejects negative and fractional lengths', () => {
    expect(() => trimToLength(x, -1)).toThrow(/non-negative integer/);
    expect(() => trimToLength(x, 2.5)).toThrow(/non-negative integer/);
  });
});
