import { resample, resampledLength } from '../../src/preprocess/resample';

/** amp·sin(2π·freq·i/rate + phase), computed in double and stored as float32 like a decoded file. */
function sine(n: number, rate: number, freq: number, amp = 0.5, phase = 0.3): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return x;
}

interface SineFit {
  amp: number;
  phase: number;
  /** Residual RMS over fitted-sine RMS, in dB: THD+N. */
  thdnDb: number;
}

/**
 * Least-squares fit of a·cos + b·sin + c at a known frequency over y[lo, hi) (the steady-state middle, away from
 * the edges where the zeros outside the signal enter the filter). Solves the 3×3 normal equations directly.
 */
function fitSine(y: Float32Array, rate: number, freq: number, lo: number, hi: number): SineFit {
  const s = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  const r = [0, 0, 0];
  const basis = (i: number): number[] => {
    const w = (2 * Math.PI * freq * i) / rate;
    return [Math.cos(w), Math.sin(w), 1];
  };
  for (let i = lo; i < hi; i++) {
    const b = basis(i);
    for (let j = 0; j < 3; j++) {
      r[j]! += b[j]! * y[i]!;
      for (let k = 0; k < 3; k++) s[j]![k]! += b[j]! * b[k]!;
    }
  }
  const [a, b, c] = solve3(s, r);
  let residual = 0;
  for (let i = lo; i < hi; i++) {
    const e = basis(i);
    const d = y[i]! - (a * e[0]! + b * e[1]! + c);
    residual += d * d;
  }
  const amp = Math.hypot(a, b);
  const residualRms = Math.sqrt(residual / (hi - lo));
  return { amp, phase: Math.atan2(a, b), thdnDb: 20 * Math.log10(residualRms / (amp / Math.SQRT2)) };
}

/** Cramer's rule: the 3×3 system is well conditioned for many periods of the tone. */
function solve3(m: number[][], r: number[]): [number, number, number] {
  const det = (q: number[][]): number =>
    q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) -
    q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) +
    q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
  const d = det(m);
  const col = (k: number): number[][] => m.map((row, i) => row.map((v, j) => (j === k ? r[i]! : v)));
  return [det(col(0)) / d, det(col(1)) / d, det(col(2)) / d];
}

function rms(y: Float32Array, lo: number, hi: number): number {
  let sum = 0;
  for (let i = lo; i < hi; i++) sum += y[i]! * y[i]!;
  return Math.sqrt(sum / (hi - lo));
}

function maxDeviation(y: Float32Array, value: number, lo: number, hi: number): number {
  let worst = 0;
  for (let i = lo; i < hi; i++) worst = Math.max(worst, Math.abs(y[i]! - value));
  return worst;
}

const dB = (ratio: number): number => 20 * Math.log10(ratio);
/** Samples skipped at each end of the output before measuring (the filter reaches ~70 input samples). */
const EDGE = 400;
/** 47999 Hz against 44100 Hz has 44100 exact phases, so it takes the interpolated-table path. */
const ODD_RATE = 47999;

describe('resampledLength', () => {
  it('is exactly ceil(n · out / in)', () => {
    expect(resampledLength(48000, 48000, 44100)).toBe(44100);
    expect(resampledLength(1, 48000, 44100)).toBe(1);
    expect(resampledLength(0, 48000, 44100)).toBe(0);
    expect(resampledLength(100, 44100, 48000)).toBe(109); // 108.84
    expect(resampledLength(147, 44100, 48000)).toBe(160); // exact, no rounding up
    expect(resampledLength(160, 48000, 44100)).toBe(147);
    expect(resampledLength(161, 48000, 44100)).toBe(148);
    expect(resampledLength(5, 22050, 44100)).toBe(10);
    expect(resampledLength(7, 44100, 44100)).toBe(7);
  });

  it('agrees with integer arithmetic over many lengths and rate pairs', () => {
    const pairs = [
      [48000, 44100],
      [44100, 48000],
      [32000, 44100],
      [96000, 44100],
      [ODD_RATE, 44100],
      [8000, 192000],
    ] as const;
    for (const [from, to] of pairs) {
      for (let n = 0; n < 3000; n += 7) {
        const exact = Number((BigInt(n) * BigInt(to) + BigInt(from) - 1n) / BigInt(from));
        expect(resampledLength(n, from, to)).toBe(exact);
      }
    }
  });
});

describe('resample', () => {
  it('returns a signal already at the rate untouched, bit for bit', () => {
    const x = Float32Array.from([0.1, -0.7, 1e-30, 3.4e38, -0, 0.123456789]);
    const y = resample(x, 44100, 44100);
    expect(y.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) expect(Object.is(y[i], x[i])).toBe(true);
  });

  it('produces exactly resampledLength samples on both the exact and the interpolated path', () => {
    for (const [from, to] of [
      [48000, 44100],
      [22050, 44100],
      [ODD_RATE, 44100],
    ] as const) {
      for (const n of [0, 1, 2, 3, 159, 160, 161, 1000]) {
        expect(resample(new Float32Array(n).fill(0.5), from, to).length).toBe(resampledLength(n, from, to));
      }
    }
  });

  it('rejects non-positive rates', () => {
    expect(() => resample(new Float32Array(4), 0, 44100)).toThrow(/sample rate must be positive/);
    expect(() => resample(new Float32Array(4), 48000, -1)).toThrow(/sample rate must be positive/);
  });

  describe.each([
    ['exact polyphase', 48000],
    ['interpolated table', ODD_RATE],
  ])('downsampling to 44.1 kHz (%s)', (_path, from) => {
    const to = 44100;
    const n = Math.round(from * 0.25);

    it('keeps a 1 kHz sine with THD+N below -90 dB, same amplitude and phase (no delay)', () => {
      const y = resample(sine(n, from, 1000), from, to);
      const fit = fitSine(y, to, 1000, EDGE, y.length - EDGE);
      expect(fit.thdnDb).toBeLessThan(-90);
      expect(Math.abs(dB(fit.amp / 0.5))).toBeLessThan(0.01);
      expect(Math.abs(fit.phase - 0.3)).toBeLessThan(1e-4);
    });

    it('is flat within 0.1 dB up to 0.9 x the new Nyquist', () => {
      for (const freq of [100, 5000, 15000, 19800]) {
        const y = resample(sine(n, from, freq), from, to);
        const fit = fitSine(y, to, freq, EDGE, y.length - EDGE);
        expect({ freq, gainDb: Math.abs(dB(fit.amp / 0.5)) < 0.1 }).toEqual({ freq, gainDb: true });
        expect(fit.thdnDb).toBeLessThan(-90);
      }
    });

    it('attenuates tones above the new Nyquist by at least 90 dB', () => {
      for (const freq of [22100, 23000, 23900]) {
        const y = resample(sine(n, from, freq), from, to);
        const attenuation = dB(rms(y, EDGE, y.length - EDGE) / (0.5 / Math.SQRT2));
        expect({ freq, below90: attenuation < -90 }).toEqual({ freq, below90: true });
      }
    });

    it('keeps DC as DC', () => {
      const y = resample(new Float32Array(n).fill(0.25), from, to);
      expect(maxDeviation(y, 0.25, EDGE, y.length - EDGE)).toBeLessThan(1e-6);
    });
  });

  describe.each([22050, 32000])('upsampling %i Hz to 44.1 kHz', (from) => {
    const to = 44100;
    const n = Math.round(from * 0.25);

    it('keeps a sine\'s amplitude, frequency and phase, and removes the images of a high tone', () => {
      // 0.85 x the input Nyquist: its image at from - freq lies in the stopband and would show in the residual.
      for (const freq of [1000, 0.85 * (from / 2)]) {
        const y = resample(sine(n, from, freq), from, to);
        const fit = fitSine(y, to, freq, EDGE, y.length - EDGE);
        expect(fit.thdnDb).toBeLessThan(-90);
        expect(Math.abs(dB(fit.amp / 0.5))).toBeLessThan(0.1);
        expect(Math.abs(fit.phase - 0.3)).toBeLessThan(1e-4);
      }
    });

    it('keeps DC as DC', () => {
      const y = resample(new Float32Array(n).fill(-0.5), from, to);
      expect(maxDeviation(y, -0.5, EDGE, y.length - EDGE)).toBeLessThan(1e-6);
    });
  });

  it('treats the outside of the signal as zeros: same output as the signal with explicit zero padding', () => {
    // 1600 input samples at 48 kHz are exactly 1470 output samples at 44.1 kHz, so the padded output is the
    // unpadded one shifted by 1470, including the edge samples where the filter hangs over the signal's ends.
    const x = sine(4800, 48000, 3000);
    const padded = new Float32Array(1600 + x.length + 1600);
    padded.set(x, 1600);
    const y = resample(x, 48000, 44100);
    const yPadded = resample(padded, 48000, 44100);
    let worst = 0;
    for (let m = 0; m < y.length; m++) worst = Math.max(worst, Math.abs(yPadded[1470 + m]! - y[m]!));
    expect(worst).toBeLessThan(1e-7);
    // Far enough before the signal that the kernel (about 70 input samples each side) does not reach it.
    expect(maxDeviation(yPadded, 0, 0, 1470 - 80)).toBe(0);
  });

  it('starts a constant at 1/2 + h(0)/2 (half the kernel hangs over the zeros before it)', () => {
    // h(0) = 2 · cutoff, cutoff in the middle of the transition band: 0.95 · 22050 / 48000 cycles per sample.
    const y = resample(new Float32Array(4800).fill(1), 48000, 44100);
    expect(y[0]!).toBeCloseTo(0.5 + (0.95 * 22050) / 48000, 4);
    expect(Math.abs(y[2000]! - 1)).toBeLessThan(1e-6);
  });
});
