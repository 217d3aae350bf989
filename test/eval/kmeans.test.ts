import { kMeans, nearestCentroid } from '../../src/eval/kmeans';
import { Rng } from '../../src/util/rng';

/** n points around each of the given 2-D centres (spread 0.1). */
function clusters(centres: number[][], n: number, rng: Rng): Float64Array[] {
  return centres.flatMap((c) => Array.from({ length: n }, () => Float64Array.from(c.map((v) => v + 0.1 * rng.normal()))));
}

describe('k-means++', () => {
  const centres = [
    [0, 0],
    [10, 0],
    [0, 10],
  ];

  it('recovers three well-separated clusters, one centroid near each centre', () => {
    const points = clusters(centres, 30, new Rng(1));
    const { centroids, assignments } = kMeans(points, 3, new Rng(2));
    for (const c of centres) {
      const nearest = centroids[nearestCentroid(c, centroids)]!;
      expect(Math.hypot(nearest[0]! - c[0]!, nearest[1]! - c[1]!)).toBeLessThan(0.1);
    }
    // every cluster's 30 points share one label, and the three labels differ
    const labels = [0, 30, 60].map((s) => assignments[s]!);
    expect(new Set(labels).size).toBe(3);
    for (let i = 0; i < 90; i++) expect(assignments[i]).toBe(labels[Math.floor(i / 30)]);
  });

  it('is reproducible from the seed', () => {
    const points = clusters(centres, 10, new Rng(3));
    const a = kMeans(points, 4, new Rng(9));
    const b = kMeans(points, 4, new Rng(9));
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(a.centroids.map((c) => Array.from(c))).toEqual(b.centroids.map((c) => Array.from(c)));
  });

  it('copes with all points identical and rejects impossible k', () => {
    const same = Array.from({ length: 5 }, () => Float64Array.from([1, 1]));
    const r = kMeans(same, 3, new Rng(4));
    expect(r.centroids).toHaveLength(3);
    for (const c of r.centroids) expect(Array.from(c)).toEqual([1, 1]);
    expect(() => kMeans(same, 6, new Rng(4))).toThrow(/k must be/);
  });
});
