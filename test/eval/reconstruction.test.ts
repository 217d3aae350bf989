import { logSpectralDistance, mrStftDistance, mse } from '../../src/eval/reconstruction';
import { Rng } from '../../src/util/rng';

/** 4096 samples of seeded Gaussian noise under a decaying envelope: broadband, so no bin sits near the ε floor. */
function decayingNoise(seed: number, length = 4096): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, (_, n) => 0.5 * rng.normal() * Math.exp(-n / 3000));
}

function scaled(x: Float32Array, a: number): Float32Array {
  return x.map((v) => v * a);
}

describe('mse', () => {
  it('is 0 for identical signals and (1 − a)²·mean(x²) for a copy scaled by a', () => {
    const x = Float32Array.from([0.5, -1, 0.25, 0]);
    expect(mse(x, x)).toBe(0);
    const meanSquare = (0.25 + 1 + 0.0625 + 0) / 4;
    expect(mse(x, scaled(x, 0.5))).toBeCloseTo(0.25 * meanSquare, 12);
    expect(mse(x, scaled(x, -1))).toBeCloseTo(4 * meanSquare, 12);
  });

  it('rejects signals of different lengths', () => {
    expect(() => mse(new Float32Array(3), new Float32Array(4))).toThrow(/3 vs 4/);
  });
});

describe('multi-resolution STFT distance', () => {
  it('is exactly 0 for identical signals', () => {
    const x = decayingNoise(1);
    expect(mrStftDistance(x, x)).toEqual({ total: 0, spectralConvergence: 0, logMagnitude: 0 });
  });

  it('gives SC = |1 − a| and log-magnitude L1 ≈ |ln a| for a copy scaled by a', () => {
    const x = decayingNoise(2);
    for (const a of [0.5, 2]) {
      const d = mrStftDistance(x, scaled(x, a));
      expect(d.spectralConvergence).toBeCloseTo(Math.abs(1 - a), 6);
      expect(d.logMagnitude).toBeCloseTo(Math.abs(Math.log(a)), 3);
      expect(d.total).toBeCloseTo(d.spectralConvergence + d.logMagnitude, 12);
    }
  });

  it('handles signals shorter than the largest FFT and silence without NaN', () => {
    const short = decayingNoise(3, 100);
    const d = mrStftDistance(short, scaled(short, 0.5));
    // float32 on the active backend: exact to ~1e-5 here (the ε floor moves SC by ~1e-6 at these levels).
    expect(d.spectralConvergence).toBeCloseTo(0.5, 4);
    const silence = new Float32Array(100);
    expect(mrStftDistance(silence, silence).total).toBe(0);
    // Against silence (magnitudes at the floor sqrt(ε)) every magnitude is missed: SC ≈ 1, the log term large but finite.
    const vsSilence = mrStftDistance(short, silence);
    expect(vsSilence.spectralConvergence).toBeCloseTo(1, 2);
    expect(Number.isFinite(vsSilence.logMagnitude)).toBe(true);
    expect(vsSilence.logMagnitude).toBeGreaterThan(5);
  });

  it('grows with the size of the error', () => {
    const x = decayingNoise(4);
    const noise = decayingNoise(5);
    const near = x.map((v, i) => v + 0.01 * noise[i]!);
    const far = x.map((v, i) => v + 0.3 * noise[i]!);
    expect(mrStftDistance(x, near).total).toBeLessThan(mrStftDistance(x, far).total);
  });
});

describe('log-spectral distance', () => {
  it('is 0 for identical signals and |20·log10 a| dB for a copy scaled by a', () => {
    const x = decayingNoise(6);
    expect(logSpectralDistance(x, x)).toBe(0);
    expect(logSpectralDistance(x, scaled(x, 0.5))).toBeCloseTo(20 * Math.log10(2), 3);
    expect(logSpectralDistance(x, scaled(x, 10))).toBeCloseTo(20, 3);
  });

  it('is finite for short and silent signals', () => {
    const silence = new Float32Array(300);
    expect(logSpectralDistance(silence, silence)).toBe(0);
    // One padded frame; silence vs the signal sits at the 1e-10 floor (−100 dB), so the distance is large but finite.
    const d = logSpectralDistance(decayingNoise(7, 300), silence);
    expect(Number.isFinite(d)).toBe(true);
    expect(d).toBeGreaterThan(40);
  });
});
