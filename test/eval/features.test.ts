import { bootstrapInterval } from '../../src/eval/bootstrap';
import { analysisStart, fitFeatureSpace, GENERATION_FEATURE_DIM, GENERATION_FEATURES, generationFeatures } from '../../src/eval/features';
import { fitGaussian, frechetDistance, frechetDistanceOfFeatures } from '../../src/eval/frechet';
import { melPowerSpectrogram } from '../../src/eval/mel';
import { randomDrumParams, synthesizeDrum } from '../../src/synth';
import { peakIndex, placePeak } from '../../src/preprocess/peak-align';
import { Rng } from '../../src/util/rng';

const SR = 22050;
const ATTACK = Math.round(0.1 * SR);
const LENGTH = 8192;

/** Synthesized snares, peak-aligned to ATTACK as preprocessing does (exact silence before each hit). */
function snares(count: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => {
    const x = synthesizeDrum('snare', { ...randomDrumParams('snare', rng), noiseFloorDb: null }, SR);
    return placePeak(x, peakIndex(x), ATTACK, LENGTH);
  });
}

const scaled = (set: Float32Array[], db: number) => set.map((x) => x.map((v) => v * 10 ** (db / 20)));
function withNoise(set: Float32Array[], dbfs: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  const s = 10 ** (dbfs / 20);
  return set.map((x) => x.map((v) => v + s * rng.normal()));
}

describe('generation features', () => {
  const real = snares(24, 1);

  it('start at the attack: nothing before the first frame changes them', () => {
    const { space } = fitFeatureSpace(real, SR, ATTACK);
    const x = real[0]!;
    const y = x.slice();
    for (let i = 0; i < analysisStart(ATTACK); i++) y[i] = 0.5 * Math.sin(i); // a loud lead-in, never analysed
    expect(Array.from(generationFeatures(space, y))).toEqual(Array.from(generationFeatures(space, x)));
    expect(generationFeatures(space, x)).toHaveLength(GENERATION_FEATURE_DIM);
  });

  it('floor the power 60 dB below the median of the real samples’ loudest band', () => {
    const { space, features } = fitFeatureSpace(real, SR, ATTACK);
    const loudest = real
      .map((x) => melPowerSpectrogram(x.subarray(analysisStart(ATTACK)), SR, { bands: GENERATION_FEATURES.bands }))
      .map((m) => Math.max(...m.data))
      .sort((a, b) => a - b);
    const median = (loudest[11]! + loudest[12]!) / 2;
    expect(space.floorPower).toBeCloseTo(median * 1e-6, 18);
    // so no band of any real sample reads below the floor's level
    const floorDb = 10 * Math.log10(space.floorPower);
    for (const f of features) for (let b = 0; b < GENERATION_FEATURES.bands; b++) expect(f[b]!).toBeGreaterThanOrEqual(floorDb - 1e-9);
  });
});

describe('Fréchet distance on sets whose answer is known', () => {
  it('computes the same value in sample space (fewer samples than dimensions) as from the covariances', () => {
    const rng = new Rng(5);
    const a = Array.from({ length: 9 }, () => Float64Array.from({ length: 20 }, () => rng.normal() * 3 + 1));
    const b = Array.from({ length: 14 }, () => Float64Array.from({ length: 20 }, () => rng.normal()));
    const viaCovariance = frechetDistance(fitGaussian(a), fitGaussian(b));
    expect(Math.abs(frechetDistanceOfFeatures(a, b) - viaCovariance) / viaCovariance).toBeLessThan(1e-7);
    expect(Math.abs(frechetDistanceOfFeatures(b, a) - viaCovariance) / viaCovariance).toBeLessThan(1e-7);
  });

  // Two Gaussians with commuting covariances Σ = R·diag(λ)·Rᵀ: d² = ‖μ₁ − μ₂‖² + Σᵢ (√λ₁ᵢ − √λ₂ᵢ)².
  const c = Math.cos(0.6);
  const s = Math.sin(0.6);
  const rotation = [[c, -s, 0], [s, c, 0], [0, 0, 1]];
  function draw(n: number, mu: number[], lambda: number[], rng: Rng): Float64Array[] {
    return Array.from({ length: n }, () => {
      const z = lambda.map((l) => Math.sqrt(l) * rng.normal());
      return Float64Array.from(mu, (m, i) => m + rotation[i]!.reduce((acc, r, j) => acc + r * z[j]!, 0));
    });
  }
  const mu1 = [1, -2, 0.5];
  const mu2 = [0, -1, 1.5];
  const l1 = [4, 1, 0.25];
  const l2 = [1, 2.25, 1];
  const closedForm = mu1.reduce((a, m, i) => a + (m - mu2[i]!) ** 2, 0) + l1.reduce((a, l, i) => a + (Math.sqrt(l) - Math.sqrt(l2[i]!)) ** 2, 0);

  it('matches the closed form of two known Gaussians, and its bootstrap interval covers it', () => {
    const rng = new Rng(8);
    const a = draw(10000, mu1, l1, rng);
    const b = draw(10000, mu2, l2, rng);
    const d = frechetDistanceOfFeatures(a, b);
    // the estimate's standard deviation is about 1.5% of 4.5 here (mostly the mean term's): allow 3σ
    expect(closedForm).toBeCloseTo(4.5, 12);
    expect(Math.abs(d - closedForm) / closedForm).toBeLessThan(0.05);
    const interval = bootstrapInterval(
      [a.length, b.length],
      ([i, j]) => frechetDistanceOfFeatures(Array.from(i!, (k) => a[k]!), Array.from(j!, (k) => b[k]!)),
      new Rng(2),
      { resamples: 40, estimate: d, min: 0 },
    );
    expect(interval.low).toBeLessThan(closedForm);
    expect(interval.high).toBeGreaterThan(closedForm);
  });

  it('is 0 for a set against itself, and within sampling error for two draws of one Gaussian', () => {
    const rng = new Rng(9);
    const a = draw(2000, mu1, l1, rng);
    expect(frechetDistanceOfFeatures(a, a)).toBeLessThan(1e-9);
    // E‖μ̂₁ − μ̂₂‖² = 2·Tr(Σ)/n and each √λ̂ varies by about √(λ/2n): E[d²] ≈ 3·Tr(Σ)/n; allow 4× that.
    const b = draw(2000, mu1, l1, rng);
    const trace = l1.reduce((x, y) => x + y, 0);
    expect(frechetDistanceOfFeatures(a, b)).toBeLessThan((4 * 3 * trace) / 2000);
  });
});

describe('Fréchet distance of drum sets', () => {
  const real = snares(30, 1);
  const { space, features } = fitFeatureSpace(real, SR, ATTACK);
  const fd = (set: Float32Array[]) => frechetDistanceOfFeatures(features, set.map((x) => generationFeatures(space, x)));

  it('is 0 for a copy and grows monotonically with a gain shift', () => {
    const shifts = [0, -1, -3, -6, -12, -24];
    const values = shifts.map((db) => fd(scaled(real, db)));
    expect(values[0]).toBeLessThan(1e-6);
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
  });

  it('hardly moves for a noise floor 80 dB down (the lead-in and decayed tail no longer dominate)', () => {
    // Before the features started at the attack with a floor relative to the set, −80 dBFS of white noise —
    // which a model's "silence" usually holds — read as a larger distance than a 12 dB gain change.
    const noisy = fd(withNoise(real, -80, 3));
    expect(noisy).toBeLessThan(0.1 * fd(scaled(real, -3)));
  });
});
