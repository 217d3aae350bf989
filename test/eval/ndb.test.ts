import { defaultNdbBins, ndb, ndbOfAssignments, ndbShortfall } from '../../src/eval/ndb';
import { Rng } from '../../src/util/rng';

function cluster(centre: number[], n: number, rng: Rng): Float64Array[] {
  return Array.from({ length: n }, () => Float64Array.from(centre.map((v) => v + 0.2 * rng.normal())));
}

describe('NDB', () => {
  const rng = new Rng(1);
  const real = [...cluster([0, 0], 40, rng), ...cluster([8, 0], 40, rng), ...cluster([0, 8], 40, rng)];

  it('finds no different bin between a set and itself', () => {
    const r = ndb(real, real, 3, new Rng(2));
    expect(r.different).toBe(0);
    expect(r.fraction).toBe(0);
    for (const b of r.perBin) expect(b.z).toBe(0);
  });

  it('finds no different bin for a fresh draw from the same three clusters', () => {
    const g = new Rng(3);
    const generated = [...cluster([0, 0], 40, g), ...cluster([8, 0], 40, g), ...cluster([0, 8], 40, g)];
    expect(ndb(real, generated, 3, new Rng(2)).different).toBe(0);
  });

  it('flags every bin when the generated set covers only one cluster (mode collapse)', () => {
    const generated = cluster([8, 0], 40, new Rng(4));
    const r = ndb(real, generated, 3, new Rng(2));
    // the covered bin: 1/3 real vs 1 generated; the other two: 1/3 vs 0 — all far beyond |z| = 1.96
    expect(r.different).toBe(3);
    expect(r.fraction).toBe(1);
    expect(r.perBin.map((b) => b.generated).sort()).toEqual([0, 0, 40]);
    // the hand-computed z of an empty bin: p̂ = 40/160, se = sqrt(p̂(1−p̂)(1/120 + 1/40))
    const se = Math.sqrt(0.25 * 0.75 * (1 / 120 + 1 / 40));
    const empty = r.perBin.find((b) => b.generated === 0)!;
    expect(empty.z).toBeCloseTo(-(1 / 3) / se, 12);
  });

  it('chooses at least 10 real samples per bin, between 2 and 50, so its default passes the sample-size rule', () => {
    expect(defaultNdbBins(10)).toBe(2);
    expect(defaultNdbBins(79)).toBe(7);
    expect(defaultNdbBins(200)).toBe(20);
    expect(defaultNdbBins(7500)).toBe(50);
    for (const n of [50, 55, 79, 99, 499]) expect(ndbShortfall(n, 1000, defaultNdbBins(n))).toBeNull();
  });

  it('recomputes the same result from the bin assignments, and counts a resample’s repeats', () => {
    const generated = cluster([8, 0], 40, new Rng(4));
    const r = ndb(real, generated, 3, new Rng(2));
    const again = ndbOfAssignments(r.realBins, r.generatedBins, 3);
    expect(again.perBin).toEqual(r.perBin);
    // listing real sample 0 three times counts it three times
    const twice = ndbOfAssignments(r.realBins, r.generatedBins, 3, [0, 0, 0], [0]);
    expect(twice.perBin[r.realBins[0]!]!.real).toBe(3);
  });

  it('says when the sets are too small for the z-tests: 5 bins of 10 real, 5 generated per bin', () => {
    expect(ndbShortfall(50, 25, 5)).toBeNull();
    expect(ndbShortfall(8, 200, 2)).toMatch(/2 bin\(s\) rests on 8 real.*50 real/);
    expect(ndbShortfall(500, 100, 50)).toMatch(/250 generated/);
  });
});
