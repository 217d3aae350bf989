import { frameCount, hannWindow, magnitudeSpectrogram, powerSpectrogram, welchPowerSpectrum } from '../../src/eval/spectrum';
import { Rng } from '../../src/util/rng';

/** Naive DFT magnitude of a Hann-windowed frame, the independent reference for fft.js's output. */
function naiveMagnitudes(frame: number[], size: number): number[] {
  const out: number[] = [];
  for (let k = 0; k <= size / 2; k++) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < size; n++) {
      const v = (frame[n] ?? 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / size));
      re += v * Math.cos((2 * Math.PI * k * n) / size);
      im -= v * Math.sin((2 * Math.PI * k * n) / size);
    }
    out.push(Math.hypot(re, im));
  }
  return out;
}

describe('STFT framing and values', () => {
  it('matches a naive DFT frame by frame, zero-padding the last frame', () => {
    const rng = new Rng(1);
    const x = Float32Array.from({ length: 100 }, () => rng.normal());
    const size = 32;
    const hop = 8;
    const s = magnitudeSpectrogram(x, size, hop);
    expect(s.frames).toBe(1 + Math.ceil((100 - 32) / 8)); // 10: the last frame covers samples 72 … 103
    expect(s.bins).toBe(17);
    for (let f = 0; f < s.frames; f++) {
      const ref = naiveMagnitudes(Array.from(x.subarray(f * hop, f * hop + size)), size);
      for (let k = 0; k < s.bins; k++) expect(s.data[f * s.bins + k]).toBeCloseTo(ref[k]!, 9);
    }
  });

  it('gives a signal shorter than the FFT one zero-padded frame', () => {
    expect(frameCount(10, 64, 16)).toBe(1);
    const x = Float32Array.from([1, -0.5, 0.25]);
    const s = magnitudeSpectrogram(x, 64, 16);
    expect(s.frames).toBe(1);
    const ref = naiveMagnitudes([1, -0.5, 0.25], 64);
    for (let k = 0; k < s.bins; k++) expect(s.data[k]).toBeCloseTo(ref[k]!, 12);
  });

  it('uses the periodic Hann window, sin²(πn/N)', () => {
    const w = hannWindow(8);
    expect(w.length).toBe(8);
    for (let n = 0; n < 8; n++) expect(w[n]).toBeCloseTo(Math.sin((Math.PI * n) / 8) ** 2, 12);
  });

  it('scales power so that white noise of variance σ² averages σ² per bin', () => {
    const rng = new Rng(2);
    const sigma = 0.3;
    const x = Float64Array.from({ length: 1 << 15 }, () => sigma * rng.normal());
    const p = welchPowerSpectrum(x, 256, 256);
    let m = 0;
    for (let k = 1; k < 128; k++) m += p[k]!;
    expect(m / 127).toBeCloseTo(sigma * sigma, 2);
    expect(powerSpectrogram(x, 256, 64).bins).toBe(129);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => magnitudeSpectrogram(new Float32Array(10), 100, 25)).toThrow(/power of two/);
    expect(() => magnitudeSpectrogram(new Float32Array(10), 64, 0)).toThrow(/hop/);
  });
});

describe('the STFT on tensors (losses and the metrics that share them)', () => {
  test('stftPowers (a product with the DFT basis) equals the plain JS powerSpectrogram at every size', () => {
    const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
    const { hannWindow, powerSpectrogram, stftPowers } = require('../../src/eval/spectrum') as typeof import('../../src/eval/spectrum');
    let state = 3;
    const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1;
    const length = 4100;
    const rows = [Float32Array.from({ length }, rand), Float32Array.from({ length }, (_, n) => Math.sin(0.05 * n) * Math.exp(-n / 900))];
    for (const size of [64, 128, 256, 512, 1024, 2048]) {
      const hop = size / 4;
      const got = tf.tidy(() => stftPowers(tf.tensor2d(rows.flatMap((r) => Array.from(r)), [2, length]), size, hop).arraySync()) as number[][][];
      // powerSpectrogram divides |X|² by the window's energy Σw²; stftPowers keeps the plain |X|².
      const energy = hannWindow(size).reduce((a, w) => a + w * w, 0);
      rows.forEach((row, r) => {
        const want = powerSpectrogram(row, size, hop);
        want.data.forEach((v, i) => (want.data[i] = v * energy));
        let peak = 0;
        for (const v of want.data) peak = Math.max(peak, v);
        expect(got[r]!.length).toBe(want.frames);
        let worst = 0;
        got[r]!.forEach((frame, f) => frame.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - want.data[f * want.bins + k]!)))));
        expect({ size, worst: worst / peak }).toEqual({ size, worst: expect.any(Number) });
        expect(worst).toBeLessThan(2e-5 * peak + 1e-6);
      });
    }
  });
});
