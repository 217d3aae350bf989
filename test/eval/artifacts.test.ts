import {
  FLOOR_DB,
  highFrequencyRatio,
  hissCutoffHz,
  maxDiscontinuity,
  onsetClickDb,
  spectralFlatness,
  tailNoiseDb,
} from '../../src/eval/artifacts';
import { Rng } from '../../src/util/rng';

const sr = 16000; // 1 ms = 16 samples

function noise(length: number, sigma: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => sigma * rng.normal());
}

/** A 200 Hz tone that fades in over 10 ms and decays (τ = 50 ms): a sample with no click. */
function smoothHit(length = 8000): Float32Array {
  return Float32Array.from({ length }, (_, n) => {
    const fade = Math.min(1, n / 160);
    return 0.8 * fade * Math.exp(-n / 800) * Math.sin((2 * Math.PI * 200 * n) / sr);
  });
}

describe('onset click', () => {
  it('is the energy ratio of the first ms to the next 5 ms, in dB', () => {
    expect(onsetClickDb(new Float32Array(200).fill(0.3), sr)).toBeCloseTo(0, 9);
    // amplitude 1 for 1 ms, then 0.1: 10·log10(1 / 0.01) = 20 dB
    const step = Float32Array.from({ length: 200 }, (_, n) => (n < 16 ? 1 : 0.1));
    expect(onsetClickDb(step, sr)).toBeCloseTo(20, 5); // 0.1 is not exact in float32
  });

  it('rises when a click is added at the start of a smooth sample', () => {
    const clean = smoothHit();
    const clicked = clean.slice();
    clicked[3]! += 0.7;
    expect(onsetClickDb(clean, sr)).toBeLessThan(-10);
    expect(onsetClickDb(clicked, sr) - onsetClickDb(clean, sr)).toBeGreaterThan(10);
  });
});

describe('onset click around the attack', () => {
  // Preprocessing puts every peak at the attack index; here 0.1 s in, with 0.1 s of silence before the hit.
  const attack = 1600;
  /** A 200 Hz hit starting at the attack (1 ms fade-in), exact silence before it. */
  function alignedHit(): Float32Array {
    return Float32Array.from({ length: 8000 }, (_, n) => {
      const t = n - attack;
      return t < 0 ? 0 : 0.8 * Math.min(1, t / 16) * Math.exp(-t / 800) * Math.sin((2 * Math.PI * 200 * t) / sr);
    });
  }

  it('reads the loudest lead-in millisecond against the attack: a silent lead-in is far below 0 dB', () => {
    expect(onsetClickDb(alignedHit(), sr, attack)).toBeLessThan(-60);
  });

  it('sees a click inserted anywhere before the attack, also at the very start of the file', () => {
    const clean = alignedHit();
    const base = onsetClickDb(clean, sr, attack);
    for (const at of [0, 400, attack - 100]) {
      const clicked = clean.slice();
      clicked[at]! += 0.7;
      expect(onsetClickDb(clicked, sr, attack) - base).toBeGreaterThan(10);
    }
  });

  it('gives the closed form for a DC lead-in: 10·log10(a² / b²) against a constant attack', () => {
    // lead-in at 0.01, from the attack on 0.1: 10·log10(1e-4 / 1e-2) = −20 dB
    const x = Float32Array.from({ length: 4000 }, (_, n) => (n < attack ? 0.01 : 0.1));
    expect(onsetClickDb(x, sr, attack)).toBeCloseTo(-20, 4);
  });

  it('does not count the 2 ms just before the attack (the rise of the hit itself)', () => {
    const x = Float32Array.from({ length: 4000 }, (_, n) => (n >= attack ? 0.1 : 0));
    const rise = x.slice();
    for (let n = attack - 30; n < attack; n++) rise[n] = 0.1; // 1.9 ms early
    expect(onsetClickDb(rise, sr, attack)).toBe(onsetClickDb(x, sr, attack));
  });

  it('with no room before the attack, falls back to the energy jump at the start', () => {
    const step = Float32Array.from({ length: 200 }, (_, n) => (n < 16 ? 1 : 0.1));
    expect(onsetClickDb(step, sr, 10)).toBeCloseTo(onsetClickDb(step, sr), 12);
  });
});

describe('sample-to-sample discontinuity', () => {
  it('reads ≈ √2 for a smooth sine (its derivative’s peak-to-RMS)', () => {
    const sine = Float32Array.from({ length: 4000 }, (_, n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / sr));
    const d = maxDiscontinuity(sine, sr);
    expect(d.score).toBeGreaterThan(1.2);
    expect(d.score).toBeLessThan(1.7);
  });

  it('reads a few local-RMS units for Gaussian noise', () => {
    const d = maxDiscontinuity(noise(sr, 0.1, 1), sr);
    expect(d.score).toBeGreaterThan(3);
    expect(d.score).toBeLessThan(7);
  });

  it('finds a click added to the decaying tail, far above the clean score, where it is', () => {
    const clean = smoothHit();
    const clicked = clean.slice();
    clicked[6000]! += 0.2;
    const before = maxDiscontinuity(clean, sr);
    const after = maxDiscontinuity(clicked, sr);
    expect(before.score).toBeLessThan(3);
    expect(after.score).toBeGreaterThan(100);
    expect([6000, 6001]).toContain(after.index);
  });

  it('counts a start at a non-zero value as a jump from the silence before playback', () => {
    const d = maxDiscontinuity(new Float32Array(100).fill(0.5), sr);
    expect(d.index).toBe(0);
    expect(d.score).toBeGreaterThan(1000);
  });
});

describe('tail noise floor', () => {
  it('reads ≈ −60 dB for a sample whose last quarter is noise 60 dB below the peak', () => {
    const x = smoothHit(16000);
    let peak = 0;
    for (const v of x) peak = Math.max(peak, Math.abs(v));
    const tail = noise(4000, 1, 2);
    let ms = 0;
    for (const v of tail) ms += v * v;
    const scale = (peak * 1e-3) / Math.sqrt(ms / tail.length); // tail RMS exactly peak·10^(−60/20)
    for (let i = 0; i < 4000; i++) x[12000 + i] = tail[i]! * scale;
    expect(tailNoiseDb(x)).toBeCloseTo(-60, 3);
  });

  it('reads the floor for silence and 0 dB for a constant', () => {
    expect(tailNoiseDb(new Float32Array(100))).toBe(FLOOR_DB);
    expect(tailNoiseDb(new Float32Array(100).fill(-0.25))).toBeCloseTo(0, 9);
  });
});

describe('high-frequency (hiss) ratio', () => {
  it('reads the share of bins above 16 kHz for white noise at 48 kHz', () => {
    // bins k >= 16000·2048/48000 = 682.7, i.e. 683 … 1024: 342 of 1025 equally loud bins
    expect(highFrequencyRatio(noise(48000, 0.1, 3), 48000)).toBeCloseTo(342 / 1025, 2);
  });

  it('reads ≈ 0 for a low tone and 0 for silence', () => {
    const tone = Float32Array.from({ length: 48000 }, (_, n) => Math.sin((2 * Math.PI * 1000 * n) / 48000));
    expect(highFrequencyRatio(tone, 48000)).toBeLessThan(1e-8);
    expect(highFrequencyRatio(new Float32Array(4096), 48000)).toBe(0);
  });

  it('uses 16 kHz, or 3/4 of Nyquist where that is lower', () => {
    expect(hissCutoffHz(44100)).toBe(16000);
    expect(hissCutoffHz(22050)).toBeCloseTo(8268.75, 9);
  });
});

describe('spectral flatness', () => {
  const eulerGamma = 0.5772156649015329;

  it('is ≈ e^{−γ} ≈ 0.561 for a single periodogram of white Gaussian noise', () => {
    let sum = 0;
    for (let seed = 0; seed < 20; seed++) sum += spectralFlatness(noise(1024, 1, 100 + seed), 1024);
    expect(Math.abs(sum / 20 - Math.exp(-eulerGamma))).toBeLessThan(0.03);
  });

  it('is ≈ exp(ψ(M))/M for Welch averaging over M = 16 independent frames (→ 1 as M grows)', () => {
    const m = 16;
    let harmonic = 0;
    for (let k = 1; k < m; k++) harmonic += 1 / k;
    const expected = Math.exp(harmonic - eulerGamma) / m; // ψ(16) = H_15 − γ; ≈ 0.969
    let sum = 0;
    for (let seed = 0; seed < 8; seed++) sum += spectralFlatness(noise(m * 1024, 1, 200 + seed), 1024, 1024);
    expect(Math.abs(sum / 8 - expected)).toBeLessThan(0.01);
    expect(spectralFlatness(noise(256 * 1024, 1, 300), 1024)).toBeGreaterThan(0.98);
  });

  it('is ≈ 0 for a pure sine and 1 for silence', () => {
    const sine = Float32Array.from({ length: 8192 }, (_, n) => Math.sin((2 * Math.PI * 100 * n) / 1024));
    expect(spectralFlatness(sine, 1024)).toBeLessThan(1e-3);
    expect(spectralFlatness(new Float32Array(2048), 1024)).toBeCloseTo(1, 12);
  });
});
