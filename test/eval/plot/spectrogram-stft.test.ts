import { DB_FLOOR, stftMagnitudeDb } from '../../../src/eval/plot/spectrogram';
import { Rng } from '../../../src/util/rng';
import { magnitudeSpectrogram } from '../../../src/eval/spectrum';

describe('stftMagnitudeDb (the spectrogram plot on the metrics\' STFT, eval/spectrum.ts)', () => {
  it('is magnitudeSpectrogram in dBFS: the same frames and bins as every spectral metric', () => {
    const rng = new Rng(5);
    const x = Float32Array.from({ length: 3000 }, () => rng.uniform() * 2 - 1);
    const s = stftMagnitudeDb(x, { fftSize: 256, hopSize: 64 });
    const m = magnitudeSpectrogram(x, 256, 64);
    expect([s.frames, s.bins]).toEqual([m.frames, m.bins]);
    for (const i of [0, 17, 129, m.data.length - 1]) expect(s.db[i]).toBeCloseTo(20 * Math.log10((m.data[i]! * 2) / 128), 4);
  });

  it('counts NaN and infinite samples as silence', () => {
    const x = new Float32Array(2048);
    x[100] = NaN;
    x[900] = Infinity;
    expect(Array.from(stftMagnitudeDb(x).db).every((v) => v === DB_FLOOR)).toBe(true);
  });

  it('reads 0 dBFS for a full-scale sine centred on a bin, -20 dB at amplitude 0.1', () => {
    const n = 1024;
    const k = 100;
    for (const [amp, expected] of [[1, 0], [0.1, -20]] as const) {
      const x = Float32Array.from({ length: 4096 }, (_, i) => amp * Math.sin((2 * Math.PI * k * i) / n));
      const s = stftMagnitudeDb(x, { fftSize: n, hopSize: 256 });
      const frame = 3;
      let best = 0;
      for (let b = 1; b < s.bins; b++) if ((s.db[frame * s.bins + b] as number) > (s.db[frame * s.bins + best] as number)) best = b;
      expect(best).toBe(k);
      expect(s.db[frame * s.bins + k]).toBeCloseTo(expected, 2);
      // Hann's first neighbours are exactly half the peak: -6.02 dB.
      expect((s.db[frame * s.bins + k + 1] as number) - expected).toBeCloseTo(-6.02, 1);
    }
  });

  it('matches a direct DFT of each windowed frame', () => {
    const rng = new Rng(3);
    const x = Float32Array.from({ length: 40 }, () => rng.uniform() * 2 - 1);
    const N = 16;
    const hop = 8;
    const s = stftMagnitudeDb(x, { fftSize: N, hopSize: hop });
    expect(s.frames).toBe(1 + Math.ceil((40 - N) / hop));
    const w = Array.from({ length: N }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
    const wsum = w.reduce((a, b) => a + b, 0);
    for (let f = 0; f < s.frames; f++) {
      for (let b = 0; b <= N / 2; b++) {
        let re = 0;
        let im = 0;
        for (let i = 0; i < N; i++) {
          const v = f * hop + i < x.length ? (x[f * hop + i] as number) * (w[i] as number) : 0;
          re += v * Math.cos((2 * Math.PI * b * i) / N);
          im -= v * Math.sin((2 * Math.PI * b * i) / N);
        }
        const mag = (Math.hypot(re, im) * 2) / wsum;
        expect(s.db[f * s.bins + b]).toBeCloseTo(Math.max(DB_FLOOR, 20 * Math.log10(mag)), 3);
      }
    }
  });

  it('counts frames: one for a short signal, then one per hop until the end is reached', () => {
    expect(stftMagnitudeDb(new Float32Array(10)).frames).toBe(1);
    expect(stftMagnitudeDb(new Float32Array(1024)).frames).toBe(1);
    expect(stftMagnitudeDb(new Float32Array(1025)).frames).toBe(2);
    expect(stftMagnitudeDb(new Float32Array(44100)).frames).toBe(170);
    expect(stftMagnitudeDb(new Float32Array(0)).bins).toBe(513);
  });

  it('gives the floor for silence', () => {
    const s = stftMagnitudeDb(new Float32Array(2048));
    expect(Array.from(s.db).every((v) => v === DB_FLOOR)).toBe(true);
  });

  it('rejects FFT sizes that are not powers of two and bad hops', () => {
    expect(() => stftMagnitudeDb(new Float32Array(10), { fftSize: 1000 })).toThrow(/power of two/);
    expect(() => stftMagnitudeDb(new Float32Array(10), { hopSize: 0 })).toThrow(/hop must be a positive integer/);
  });
});
