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
