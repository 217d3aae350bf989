import { averageRanks, classifySample, fitKnn, fitSampleClassifier, predictKnn, spearman } from '../../src/eval/classifier';
import { Rng } from '../../src/util/rng';

const RATE = 8000;
const LENGTH = 512;
const ATTACK = 64;
/** Three classes, three pitches (Hz) far apart on the mel scale. */
const PITCH: Record<string, number> = { kick: 120, snare: 700, 'hat-closed': 3000 };

/** A decaying sine of the class's pitch, its peak near ATTACK, with a random level (−26…0 dB), phase, decay and noise. */
function hit(pitch: number, rng: Rng): Float32Array {
  const amplitude = 10 ** (rng.uniform(-26, 0) / 20);
  const phase = rng.uniform(0, 2 * Math.PI);
  const decay = rng.uniform(60, 200);
  return Float32Array.from({ length: LENGTH }, (_, t) =>
    t < ATTACK ? 0 : amplitude * (Math.exp(-(t - ATTACK) / decay) * Math.sin((2 * Math.PI * pitch * (t - ATTACK)) / RATE + phase) + 0.01 * rng.normal()),
  );
}

function labelledSet(perClass: number, seed: number): { rows: Float32Array[]; labels: string[] } {
  const rng = new Rng(seed);
  const rows: Float32Array[] = [];
  const labels: string[] = [];
  for (let i = 0; i < perClass; i++) {
    for (const [c, f] of Object.entries(PITCH)) {
      rows.push(hit(f, rng));
      labels.push(c);
    }
  }
  return { rows, labels };
}

const accuracy = (guesses: string[], truth: string[]) => guesses.filter((g, i) => g === truth[i]).length / truth.length;

describe('the class classifier of evaluate (kNN on log-mel statistics)', () => {
  test('classes of sines at distinct pitches, at levels 26 dB apart, are told apart without a mistake', () => {
    const train = labelledSet(20, 1);
    const test = labelledSet(20, 2);
    const classifier = fitSampleClassifier(train.rows, train.labels, RATE, ATTACK);
    expect(classifier.knn.classes).toEqual(['kick', 'snare', 'hat-closed']);
    expect(accuracy(test.rows.map((x) => classifySample(classifier, x)), test.labels)).toBe(1);
  });

  test('labels shuffled at random (no relation to the sound): chance level, about 1/3 of 3 classes', () => {
    const shuffle = (labels: string[], seed: number) => new Rng(seed).shuffle([...labels]) as string[];
    const train = labelledSet(50, 3);
    const test = labelledSet(50, 4);
    const classifier = fitSampleClassifier(train.rows, shuffle(train.labels, 5), RATE, ATTACK);
    const guessed = accuracy(test.rows.map((x) => classifySample(classifier, x)), shuffle(test.labels, 6));
    // 150 held-out guesses at p = 1/3 have a standard deviation of 0.038: ±3.5 of them.
    expect(guessed).toBeGreaterThan(1 / 3 - 0.135);
    expect(guessed).toBeLessThan(1 / 3 + 0.135);
  });

  test('kNN by hand: standardised distances, a majority of k = 5, and a tied vote to the nearer class', () => {
    // x spans 0…100, y spans 0…1: unstandardised, x would decide alone; standardised, both count.
    const points = [
      [0, 0], [10, 0], [20, 0], // a: bottom left
      [80, 1], [90, 1], [100, 1], // b: top right
    ];
    const knn = fitKnn(points, ['a', 'a', 'a', 'b', 'b', 'b'], 5);
    expect(knn.k).toBe(5);
    expect(Array.from(knn.mean)).toEqual([50, 0.5]);
    // sd of x = sqrt(mean of squares of ±50, ±40, ±30) = sqrt((2500 + 1600 + 900) / 3); of y = 0.5
    expect(knn.invScale[0]).toBeCloseTo(1 / Math.sqrt(5000 / 3), 12);
    expect(knn.invScale[1]).toBeCloseTo(2, 12);
    // The five nearest of (5, 0.1) are the three a's and the two nearest b's: a wins 3 to 2.
    expect(predictKnn(knn, [5, 0.1])).toBe('a');
    expect(predictKnn(knn, [95, 0.9])).toBe('b');
    // k = 2 at (50, 0.5), between a's (20, 0) and b's (80, 1) at equal distance: a 1–1 tie; moved a little towards
    // b, b is the nearer class.
    const two = fitKnn(points, ['a', 'a', 'a', 'b', 'b', 'b'], 2);
    expect(predictKnn(two, [50.5, 0.5])).toBe('b');
    expect(predictKnn(two, [49.5, 0.5])).toBe('a');
    // k above the number of rows: capped.
    expect(fitKnn([[0], [1]], ['a', 'b'], 5).k).toBe(2);
  });
});

describe('spearman', () => {
  test('a monotone relation is 1 however curved; reversed, -1', () => {
    const x = [0.1, 0.5, 0.2, 0.9, 0.7];
    expect(spearman(x, x.map((v) => Math.exp(10 * v)))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => -(v ** 3)))).toBeCloseTo(-1, 12);
  });

  test('ties take the mean of their ranks: the closed form of the Pearson correlation of average ranks', () => {
    expect(Array.from(averageRanks([5, 1, 5, 3]))).toEqual([3.5, 1, 3.5, 2]);
    // ranks x 1,2,3,4 and y 1.5,1.5,3.5,3.5: Σ dx·dy = 4, Σ dx² = 5, Σ dy² = 4 → 4 / √20 = 2/√5 (scipy: 0.894427…)
    expect(spearman([1, 2, 3, 4], [1, 1, 2, 2])).toBeCloseTo(2 / Math.sqrt(5), 12);
    // Without ties, the textbook form 1 − 6Σd²/(n(n²−1)): d = (1, 1, 1, 1, 0), n = 5 → 1 − 24/120.
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(1 - (6 * 4) / (5 * 24), 12);
    // −∞ (a silent generated sample's level) ranks lowest.
    expect(spearman([0, 0.5, 1], [-Infinity, -20, -6])).toBeCloseTo(1, 12);
  });

  test('a constant side has no order: NaN, as scipy says', () => {
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNaN();
    expect(spearman([1], [2])).toBeNaN();
  });
});
