import { meanNearestDistance, meanNearestDistanceWithin } from '../../src/eval/neighbours';
import { fitStandardizer } from '../../src/eval/vectors';

describe('nearest-neighbour distances', () => {
  const real = [
    [0, 0],
    [3, 4],
    [10, 0],
  ];

  it('measures memorisation: 0 for copies of the real set, the hand-computed mean otherwise', () => {
    expect(meanNearestDistance(real, real)).toBe(0);
    // [0, 1] is 1 from [0, 0]; [3, 0] is 3 from [0, 0] (vs 4 from [3, 4], 7 from [10, 0])
    expect(meanNearestDistance([[0, 1], [3, 0]], real)).toBeCloseTo((1 + 3) / 2, 12);
  });

  it('measures diversity within a set: duplicates read 0, spread points their nearest gap', () => {
    expect(meanNearestDistanceWithin([[1, 1], [1, 1], [1, 1]])).toBe(0);
    // nearest others: [0,0]→[3,4] 5, [3,4]→[0,0] 5, [10,0]→[3,4] sqrt(49+16)
    expect(meanNearestDistanceWithin(real)).toBeCloseTo((5 + 5 + Math.sqrt(65)) / 3, 12);
    expect(() => meanNearestDistanceWithin([[1, 2]])).toThrow(/at least 2/);
  });
});

describe('standardizer', () => {
  it('z-scores with the reference mean and population std, leaving constant dimensions unscaled', () => {
    const z = fitStandardizer([
      [1, 5],
      [3, 5],
    ]);
    expect(Array.from(z([1, 5]))).toEqual([-1, 0]);
    expect(Array.from(z([4, 7]))).toEqual([2, 2]);
    expect(() => z([1])).toThrow(/expected 2/);
  });
});
