import { latentSmoothness } from '../../src/eval/smoothness';
import { Rng } from '../../src/util/rng';

const length = 2048;

function noise(seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => 0.3 * rng.normal());
}

/** grid[r][c] = base noise at level(r, c) dB: log-magnitude distances are then exactly the level differences. */
function levelGrid(rows: number, cols: number, level: (r: number, c: number) => number): Float32Array[][] {
  const base = noise(1);
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => base.map((v) => v * 10 ** (level(r, c) / 20))),
  );
}

describe('latent smoothness', () => {
  it('is 0 for a grid of identical decodes', () => {
    const x = noise(2);
    const s = latentSmoothness(Array.from({ length: 3 }, () => [x, x, x]), new Rng(1));
    expect(s.smoothness).toBe(0);
    expect(s.max_jump).toBe(0);
  });

  it('is ≈ 1 for a grid of independent noise decodes (neighbours no more alike than any pair)', () => {
    let seed = 10;
    const grid = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => noise(seed++)));
    const s = latentSmoothness(grid, new Rng(1));
    expect(s.random_pairs).toBe((36 * 35) / 2); // every pair: no sampling needed
    expect(Math.abs(s.smoothness - 1)).toBeLessThan(0.03);
  });

  it('matches the closed form for a grid whose level falls 3 dB per step along r + c', () => {
    const rows = 4;
    const cols = 4;
    const s = latentSmoothness(levelGrid(rows, cols, (r, c) => -3 * (r + c)), new Rng(1));
    // the distance between two points is 3·|Δ(r + c)| dB (up to float32 rounding and the ε floor)
    const points = Array.from({ length: rows * cols }, (_, i) => Math.floor(i / cols) + (i % cols));
    let sum = 0;
    let count = 0;
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        sum += 3 * Math.abs(points[i]! - points[j]!);
        count++;
      }
    }
    expect(s.neighbour_mean).toBeCloseTo(3, 2);
    expect(s.random_mean).toBeCloseTo(sum / count, 2);
    expect(s.smoothness).toBeCloseTo(3 / (sum / count), 3);
  });

  it('locates the largest neighbour jump', () => {
    // level −3c dB, with an extra −20 dB cliff from column 2 on: the biggest jump is between columns 1 and 2
    const s = latentSmoothness(levelGrid(3, 4, (_, c) => -3 * c - (c >= 2 ? 20 : 0)), new Rng(1));
    expect(s.max_jump).toBeCloseTo(23, 2);
    expect([s.max_jump_row, s.max_jump_col, s.max_jump_row2, s.max_jump_col2]).toEqual([0, 1, 0, 2]);
    expect(s.max_jump_ratio).toBeCloseTo(s.max_jump / s.random_mean, 12);
  });

  it('samples random pairs from the seeded generator when there are too many to measure all', () => {
    let seed = 50;
    const grid = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => noise(seed++)));
    const a = latentSmoothness(grid, new Rng(7), 10);
    const b = latentSmoothness(grid, new Rng(7), 10);
    expect(a.random_pairs).toBe(10);
    expect(a).toEqual(b);
  });

  it('rejects ragged grids and decodes of different lengths', () => {
    const x = noise(3);
    expect(() => latentSmoothness([[x, x], [x]], new Rng(1))).toThrow(/row 1 has 1 points/);
    expect(() => latentSmoothness([[x, x.subarray(1)]], new Rng(1))).toThrow(/\(0, 1\) has 2047 samples/);
    expect(() => latentSmoothness([[x]], new Rng(1))).toThrow(/at least 2 points/);
  });
});
