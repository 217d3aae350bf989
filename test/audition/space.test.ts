import { sampleFileName } from '../../src/audition/page/filename';
import {
  buildSpace,
  coordinates,
  nudge,
  principalDirections,
  randomPoint,
  SpaceMeta,
  startPoint,
  withCoordinate,
} from '../../src/audition/page/space';
import { Rng } from '../../src/util/rng';

const bounds = (latent: number, lo = -1, hi = 1) => ({ min: Array(latent).fill(lo), max: Array(latent).fill(hi) });

describe('principalDirections', () => {
  test('points spread along a known direction in 3-D: that direction first, with the known variances', () => {
    // x = mean + a·u + b·w with a ∈ {±3}, b ∈ {±1} (balanced), u ⊥ w unit vectors: the covariance has
    // eigenvalues var(a) = 9·4/3 = 12 and var(b) = 4/3 (unbiased over 4 points), and 0.
    const u = [2 / 3, 2 / 3, 1 / 3];
    const w = [1 / Math.SQRT2, -1 / Math.SQRT2, 0];
    const mean = [0.5, -1, 2];
    const points = [[3, 1], [3, -1], [-3, 1], [-3, -1]].map(([a, b]) => mean.map((m, i) => m + a! * u[i]! + b! * w[i]!));
    const pca = principalDirections(points, 2);
    expect(Array.from(pca.mean)).toEqual(mean.map((m) => expect.closeTo(m, 12)));
    expect(pca.variances[0]).toBeCloseTo(12, 10);
    expect(pca.variances[1]).toBeCloseTo(4 / 3, 10);
    expect(pca.total).toBeCloseTo(12 + 4 / 3, 10);
    // Sign fixed so that the largest entry is positive: u as it is, w as it is (its first entry is the largest).
    expect(Array.from(pca.vectors[0]!)).toEqual(u.map((v) => expect.closeTo(v, 10)));
    expect(Array.from(pca.vectors[1]!)).toEqual(w.map((v) => expect.closeTo(v, 10)));
  });
});

describe('buildSpace', () => {
  test('2-D latents: the axes over the latent bounds exactly', () => {
    const meta: SpaceMeta = { latent: 2, latent_bounds: { min: [-0.5, 0], max: [1.5, 2] }, latent_prior: null, latent_points: [[0, 1], [1, 1]] };
    const space = buildSpace(meta);
    expect(space.kind).toBe('axes');
    expect(space.directions.map((d) => [d.label, Array.from(d.vector), d.min, d.max])).toEqual([
      ['z0', [1, 0], -0.5, 1.5],
      ['z1', [0, 1], 0, 2],
    ]);
    expect(startPoint(space, meta)).toEqual([0.5, 1]);
  });

  test('a degenerate bound (min = max) still gets a usable range', () => {
    const space = buildSpace({ latent: 2, latent_bounds: { min: [0, 3], max: [1, 3] }, latent_prior: null });
    expect([space.directions[1]!.min, space.directions[1]!.max]).toEqual([2, 4]);
  });

  test('larger latents with points: principal directions, ranges covering the projected points plus 5%', () => {
    const points = [[3, 1], [3, -1], [-3, 1], [-3, -1]].map(([a, b]) => [a!, b!, 0, 0]);
    const space = buildSpace({ latent: 4, latent_bounds: bounds(4, -5, 5), latent_prior: null, latent_points: points });
    expect(space.kind).toBe('pca');
    expect(space.directions.map((d) => d.label)).toEqual(['PC1', 'PC2', 'PC3', 'PC4']);
    const [d1, d2] = space.directions;
    expect(Math.abs(d1!.vector[0]!)).toBeCloseTo(1, 10);
    expect([d1!.min, d1!.max]).toEqual([expect.closeTo(-3.3, 10), expect.closeTo(3.3, 10)]);
    expect([d2!.min, d2!.max]).toEqual([expect.closeTo(-1.1, 10), expect.closeTo(1.1, 10)]);
    expect(d1!.explained).toBeCloseTo(0.9, 10); // 12 / (12 + 4/3)
    expect(startPoint(space, { latent: 4, latent_bounds: bounds(4), latent_prior: null })).toEqual([0, 0, 0, 0]);
  });

  test('larger latents without points: the first four axes over their bounds plus 5%', () => {
    const space = buildSpace({ latent: 6, latent_bounds: bounds(6, 0, 10), latent_prior: null });
    expect(space.kind).toBe('axes');
    expect(space.directions.map((d) => d.label)).toEqual(['z0', 'z1', 'z2', 'z3']);
    expect([space.directions[3]!.min, space.directions[3]!.max]).toEqual([-0.5, 10.5]);
  });
});

describe('moving a point', () => {
  const points = [[3, 1, 0.5], [3, -1, 0], [-3, 1, -0.5], [-3, -1, 0.2], [0, 0, 1]];
  const space = buildSpace({ latent: 3, latent_bounds: bounds(3), latent_prior: null, latent_points: points });

  test('withCoordinate sets one coordinate and leaves the others', () => {
    const p = [0.3, -0.2, 0.7];
    const before = coordinates(space, p);
    const q = withCoordinate(space, p, 1, before[1]! + 0.5);
    const after = coordinates(space, q);
    expect(after[0]).toBeCloseTo(before[0]!, 12);
    expect(after[1]).toBeCloseTo(before[1]! + 0.5, 12);
    expect(after[2]).toBeCloseTo(before[2]!, 12);
    // The move is 0.5 along a unit vector.
    expect(Math.hypot(...q.map((v, i) => v - p[i]!))).toBeCloseTo(0.5, 12);
  });

  test('nudge moves by a fraction of the range along the first two directions, and stops at the edges', () => {
    const axes = buildSpace({ latent: 2, latent_bounds: { min: [-1, 0], max: [1, 4] }, latent_prior: null });
    expect(nudge(axes, [0, 2], 1, 0, 0.01)).toEqual([0.02, 2]);
    expect(nudge(axes, [0, 2], 0, -10, 0.01)).toEqual([0, expect.closeTo(1.6, 12)]);
    expect(nudge(axes, [0.99, 3.99], 10, 10, 0.01)).toEqual([1, 4]);
  });

  test('randomPoint draws like sampgen generate --random: bounds, or the prior', () => {
    const meta = { latent: 3, latent_bounds: { min: [0, 10, -1], max: [1, 11, -0.5] }, latent_prior: null };
    const rng = new Rng(1);
    for (let i = 0; i < 50; i++) {
      const p = randomPoint(meta, rng);
      p.forEach((v, k) => {
        expect(v).toBeGreaterThanOrEqual(meta.latent_bounds.min[k]!);
        expect(v).toBeLessThanOrEqual(meta.latent_bounds.max[k]!);
      });
    }
    // Same seed, same points (the page's randomness comes from sampgen's seeded generator).
    expect(randomPoint(meta, new Rng(7))).toEqual(randomPoint(meta, new Rng(7)));
    const gan = randomPoint({ ...meta, latent_prior: 'uniform' }, new Rng(2));
    gan.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1));
  });
});

describe('sampleFileName', () => {
  test('model name and point to three decimals', () => {
    expect(sampleFileName('snare-small', [0.3, -0.5])).toBe('snare-small_z0.300_-0.500.wav');
    expect(sampleFileName('kick 808/v2', [-0.0001, 1.23456])).toBe('kick-808-v2_z0.000_1.235.wav');
    expect(sampleFileName('..', [0])).toBe('sample_z0.000.wav');
  });

  test('long points: the first four coordinates and a hash of all', () => {
    const a = sampleFileName('vae', [1, 2, 3, 4, 5, 6, 7, 8]);
    const b = sampleFileName('vae', [1, 2, 3, 4, 5, 6, 7, 8.001]);
    expect(a).toMatch(/^vae_z1\.000_2\.000_3\.000_4\.000_h[0-9a-f]{8}\.wav$/);
    expect(b).not.toBe(a);
    expect(sampleFileName('vae', [1, 2, 3, 4, 5, 6])).toBe('vae_z1.000_2.000_3.000_4.000_5.000_6.000.wav');
  });
});
