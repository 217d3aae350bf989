import { hzToMel, logMelSpectrogram, logMelStatistics, melFilterbank, melToHz } from '../../src/eval/mel';

describe('mel scale', () => {
  it('is the HTK formula and its inverse', () => {
    expect(hzToMel(0)).toBe(0);
    expect(hzToMel(700)).toBeCloseTo(2595 * Math.log10(2), 10);
    expect(hzToMel(1000)).toBeCloseTo(1000, 0); // the scale's anchor: 1000 Hz ≈ 1000 mel
    for (const f of [50, 440, 8000, 22050]) expect(melToHz(hzToMel(f))).toBeCloseTo(f, 8);
  });
});

describe('mel filterbank', () => {
  const sampleRate = 44100;
  const fftSize = 1024;
  const fb = melFilterbank(64, fftSize, sampleRate);

  it('has 64 non-empty triangles with unit-or-lower peaks and rising centres', () => {
    expect(fb).toHaveLength(64);
    for (let b = 0; b < 64; b++) {
      const band = fb[b]!;
      expect(Math.max(...band.weights)).toBeGreaterThan(0);
      expect(Math.max(...band.weights)).toBeLessThanOrEqual(1);
      expect(Math.min(...band.weights)).toBeGreaterThanOrEqual(0);
      if (b > 0) expect(band.centreHz).toBeGreaterThan(fb[b - 1]!.centreHz);
    }
    expect(fb[63]!.centreHz).toBeLessThan(sampleRate / 2);
  });

  it('sums to 1 over bands at every bin between the first and the last centre (triangles share edges)', () => {
    const total = new Float64Array(fftSize / 2 + 1);
    for (const band of fb) band.weights.forEach((w, j) => (total[band.start + j]! += w));
    let checked = 0;
    for (let k = 0; k < total.length; k++) {
      const f = (k * sampleRate) / fftSize;
      if (f >= fb[0]!.centreHz && f <= fb[63]!.centreHz) {
        expect(total[k]).toBeCloseTo(1, 9);
        checked++;
      } else {
        expect(total[k]).toBeLessThanOrEqual(1 + 1e-12);
      }
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('rejects impossible ranges', () => {
    expect(() => melFilterbank(64, 1024, 44100, 0, 30000)).toThrow(/Nyquist/);
    expect(() => melFilterbank(0, 1024, 44100)).toThrow(/bands/);
  });
});

describe('log-mel features', () => {
  const sampleRate = 16000;
  const fftSize = 1024;
  const hop = 256;
  // A sine exactly on bin k0, over a whole number of hops so that every frame sees the same stationary signal.
  const k0 = 64; // 1000 Hz
  const amplitude = 0.5;
  const length = fftSize + 16 * hop;
  const sine = Float32Array.from({ length }, (_, n) => amplitude * Math.sin((2 * Math.PI * k0 * n) / fftSize));

  it('puts a bin-centred sine into the bands its three Hann bins fall in, at the closed-form level', () => {
    // Hann spectrum of a bin-centred sine: |X| = A·N/4 at k0 and A·N/8 at k0 ± 1, zero elsewhere;
    // power is |X|² / Σw² with Σw² = 3N/8.
    const energy = (3 * fftSize) / 8;
    const power = new Map<number, number>([
      [k0 - 1, (amplitude * fftSize / 8) ** 2 / energy],
      [k0, (amplitude * fftSize / 4) ** 2 / energy],
      [k0 + 1, (amplitude * fftSize / 8) ** 2 / energy],
    ]);
    const fb = melFilterbank(64, fftSize, sampleRate);
    const m = logMelSpectrogram(sine, sampleRate);
    expect(m.frames).toBe(17);
    expect(m.bands).toBe(64);
    for (let b = 0; b < 64; b++) {
      let e = 0;
      fb[b]!.weights.forEach((w, j) => (e += w * (power.get(fb[b]!.start + j) ?? 0)));
      if (e > 1e-6) expect(m.data[5 * 64 + b]).toBeCloseTo(10 * Math.log10(e + 1e-10), 6);
      else expect(m.data[5 * 64 + b]).toBeLessThan(-60);
    }
  });

  it('gives 2·64 statistics: per-band mean and a near-zero deviation for a stationary sine', () => {
    const stats = logMelStatistics(sine, sampleRate);
    expect(stats).toHaveLength(128);
    const m = logMelSpectrogram(sine, sampleRate);
    let loudest = 0;
    for (let b = 1; b < 64; b++) if (m.data[b]! > m.data[loudest]!) loudest = b;
    expect(stats[loudest]).toBeCloseTo(m.data[loudest]!, 6);
    expect(stats[64 + loudest]).toBeLessThan(1e-6);
  });

  it('reads a decaying signal as a band deviation that grows with the decay', () => {
    const decay = (tau: number) =>
      Float32Array.from({ length }, (_, n) => Math.exp(-n / tau) * Math.sin((2 * Math.PI * k0 * n) / fftSize));
    const slow = logMelStatistics(decay(20000), sampleRate);
    const fast = logMelStatistics(decay(1000), sampleRate);
    const band = (s: Float64Array) => Math.max(...Array.from(s.subarray(64)));
    expect(band(fast)).toBeGreaterThan(band(slow));
  });
});
