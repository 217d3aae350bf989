import FFT from 'fft.js';
import {
  DRUM_KINDS,
  DrumKind,
  KickParams,
  SnareParams,
  fileRng,
  polyBlepSquare,
  randomDrumParams,
  synthesizeDrum,
  synthesizeSet,
  sweptPhase,
} from '../../src/synth/drums';
import { Rng } from '../../src/util/rng';

function peakIndex(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]!) > Math.abs(x[best]!)) best = i;
  return best;
}

/** |DFT| at an arbitrary frequency, Hann-windowed, by direct summation (independent of any FFT code). */
function dftMagnitude(x: Float32Array, from: number, to: number, hz: number, sr: number): number {
  let re = 0;
  let im = 0;
  const n = to - from;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    const a = (2 * Math.PI * hz * i) / sr;
    re += w * x[from + i]! * Math.cos(a);
    im -= w * x[from + i]! * Math.sin(a);
  }
  return Math.hypot(re, im);
}

/** Bit-identical samples (jest's deep equality is slow on long typed arrays). */
function sameSamples(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((ch, i) => Buffer.from(ch.buffer).equals(Buffer.from(b[i]!.buffer)));
}

function zeroCrossings(x: Float32Array, from: number, to: number): number {
  let count = 0;
  for (let i = from + 1; i < to; i++) if (x[i - 1]! < 0 !== x[i]! < 0) count++;
  return count;
}

function spectralCentroid(x: Float32Array, sr: number): number {
  let size = 1;
  while (size < x.length) size *= 2;
  const fft = new FFT(size);
  const input = new Array<number>(size).fill(0);
  for (let i = 0; i < x.length; i++) input[i] = x[i]!;
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  let num = 0;
  let den = 0;
  for (let k = 0; k <= size / 2; k++) {
    const p = out[2 * k]! ** 2 + out[2 * k + 1]! ** 2;
    num += ((k * sr) / size) * p;
    den += p;
  }
  return num / den;
}

const base = { levelDb: -6, preRoll: 0.05, length: 0.8, noiseFloorDb: null, attack: 0.001, noiseSeed: 7 };

describe('synthesizeSet', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    const a = [...synthesizeSet({ kind: 'snare', count: 2, seed: 1 })];
    const b = [...synthesizeSet({ kind: 'snare', count: 2, seed: 1 })];
    const c = [...synthesizeSet({ kind: 'snare', count: 2, seed: 2 })];
    expect(a.map((f) => f.name)).toEqual(['snare-0001.wav', 'snare-0002.wav']);
    for (let i = 0; i < 2; i++) {
      expect(b[i]!.sampleRate).toBe(a[i]!.sampleRate);
      expect(sameSamples(b[i]!.channels, a[i]!.channels)).toBe(true);
      expect(sameSamples(c[i]!.channels.slice(0, 1), a[i]!.channels.slice(0, 1))).toBe(false);
    }
  });

  test('file i depends only on (kind, seed, i): a longer set starts with the shorter one', () => {
    const short = [...synthesizeSet({ kind: 'kick', count: 2, seed: 5 })];
    const long = [...synthesizeSet({ kind: 'kick', count: 4, seed: 5 })];
    expect(sameSamples(long[1]!.channels, short[1]!.channels)).toBe(true);
    expect(sameSamples(long[1]!.channels, long[0]!.channels)).toBe(false);
    // The same seed and index give different sounds for different kinds' generators.
    expect(fileRng('kick', 5, 0).state()).not.toEqual(fileRng('snare', 5, 0).state());
    expect(fileRng('kick', 5, 0).state()).not.toEqual(fileRng('kick', 5, 1).state());
  });

  test('names pad to the width of the count', () => {
    const gen = synthesizeSet({ kind: 'hat', count: 12345, seed: 1 });
    expect(gen.next().value!.name).toBe('hat-00001.wav');
  });

  test.each(DRUM_KINDS.map((k) => [k]))('%s: peak in (0, 1], no NaN, hit after the pre-roll, varied formats', (kind) => {
    const files = [...synthesizeSet({ kind: kind as DrumKind, count: 10, seed: 3 })];
    const rates = new Set<number>();
    const channelCounts = new Set<number>();
    for (const f of files) {
      rates.add(f.sampleRate);
      channelCounts.add(f.channels.length);
      const start = Math.round(f.params.preRoll * f.sampleRate);
      expect(f.channels[0]!.length).toBe(Math.round(f.params.length * f.sampleRate));
      for (const ch of f.channels) {
        expect(ch.length).toBe(f.channels[0]!.length);
        expect(ch.every((v) => Number.isFinite(v))).toBe(true);
        const i = peakIndex(ch);
        const peak = Math.abs(ch[i]!);
        expect(peak).toBeGreaterThan(0);
        expect(peak).toBeLessThanOrEqual(1);
        expect(i).toBeGreaterThan(0);
        expect(i).toBeGreaterThanOrEqual(start);
        // Before the hit only the noise floor (≤ -60 dBFS RMS, so |x| < 0.002) or silence.
        let pre = 0;
        for (let j = 0; j < start; j++) pre = Math.max(pre, Math.abs(ch[j]!));
        expect(pre).toBeLessThan(0.002);
        if (f.params.noiseFloorDb === null && ch === f.channels[0]) expect(pre).toBe(0);
      }
      // The left channel's peak is the drawn level (the floor adds at most ~0.002).
      expect(Math.abs(f.channels[0]![peakIndex(f.channels[0]!)]!)).toBeCloseTo(10 ** (f.params.levelDb / 20), 2);
    }
    expect(rates.size).toBeGreaterThan(1);
    expect(channelCounts).toEqual(new Set([1, 2]));
  });
});

describe('snare', () => {
  test('its spectrum peaks at the membrane fundamental, well above an off-mode frequency', () => {
    const sr = 44100;
    for (let seed = 0; seed < 6; seed++) {
      const p = randomDrumParams('snare', new Rng(seed));
      const x = synthesizeDrum('snare', p, sr);
      const from = Math.round(p.preRoll * sr);
      const to = from + Math.round(0.15 * sr);
      const atMode = dftMagnitude(x, from, to, p.pitchHz, sr);
      // 1.3 × f0 lies between the first two membrane modes (1 and 1.593).
      const offMode = dftMagnitude(x, from, to, 1.3 * p.pitchHz, sr);
      expect(atMode).toBeGreaterThan(3 * offMode);
    }
  });

  test('the strongest low partial sits at pitchHz and a second mode at 1.593 × pitchHz', () => {
    const sr = 48000;
    const p: SnareParams = {
      kind: 'snare', ...base, pitchHz: 200, sweepRatio: 1, sweepTime: 0.01, decay: 0.4,
      modeGains: [1, 0.6, 0, 0, 0, 0], wiresMix: 0.3, wiresDecay: 0.2, wiresHz: 4000, wiresQ: 1,
    };
    const x = synthesizeDrum('snare', p, sr);
    const from = Math.round(p.preRoll * sr);
    const to = from + Math.round(0.25 * sr);
    let bestHz = 0;
    let best = 0;
    for (let hz = 150; hz <= 260; hz += 5) {
      const m = dftMagnitude(x, from, to, hz, sr);
      if (m > best) [best, bestHz] = [m, hz];
    }
    expect(bestHz).toBe(200);
    expect(dftMagnitude(x, from, to, 318.6, sr)).toBeGreaterThan(5 * dftMagnitude(x, from, to, 260, sr));
  });
});

describe('kick', () => {
  test('zero crossings follow the closed-form 150 → 50 Hz exponential sweep', () => {
    const sr = 48000;
    const p: KickParams = {
      kind: 'kick', ...base, length: 1, pitchHz: 50, sweepRatio: 3, sweepTime: 0.04, decay: 0.9,
      clickLevel: 0, clickDecay: 0.005, clickHz: 3000, clickQ: 1,
    };
    const x = synthesizeDrum('kick', p, sr);
    const onset = Math.round(p.preRoll * sr);
    // Cycles between t0 and t1 of f(t) = 50 (1 + 2 e^{-t/0.04}): 50 (t1 - t0) + 100·0.04 (e^{-t0/0.04} - e^{-t1/0.04}).
    const cycles = (t0: number, t1: number) => 50 * (t1 - t0) + 100 * 0.04 * (Math.exp(-t0 / 0.04) - Math.exp(-t1 / 0.04));
    const crossings = (t0: number, t1: number) => zeroCrossings(x, onset + Math.round(t0 * sr), onset + Math.round(t1 * sr));
    const early = crossings(0, 0.03);
    const late = crossings(0.5, 0.7);
    expect(Math.abs(early - 2 * cycles(0, 0.03))).toBeLessThanOrEqual(1);
    expect(Math.abs(late - 2 * cycles(0.5, 0.7))).toBeLessThanOrEqual(1);
    // Per second: ~260 crossings early (130 Hz average), ~100 late (50 Hz).
    expect(early / 0.03).toBeGreaterThan(2 * (late / 0.2));
  });

  test('random kicks fall in pitch: a cycle near onset is shorter than one 0.3 s later', () => {
    const sr = 44100;
    for (let seed = 0; seed < 8; seed++) {
      const drawn = randomDrumParams('kick', new Rng(seed));
      // Body only: the click's and the noise floor's crossings would swamp the body's at onset and in the tail.
      const p: KickParams = { ...drawn, noiseFloorDb: null, clickLevel: 0, length: drawn.preRoll + 0.5 };
      const x = synthesizeDrum('kick', p, sr);
      const onset = Math.round(p.preRoll * sr);
      const c: number[] = [];
      for (let i = onset + 2; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) c.push(i);
      // Two zero crossings make one cycle. Over 500 seeds the ratio is at least 1.5.
      const early = c[2]! - c[0]!;
      const k = c.findIndex((i) => i >= onset + 0.3 * sr);
      const late = c[k + 2]! - c[k]!;
      expect(late).toBeGreaterThan(1.3 * early);
    }
  });
});

describe('hat', () => {
  test('hats are brighter than kicks (spectral centroid)', () => {
    for (let seed = 0; seed < 4; seed++) {
      const sr = 44100;
      const h = synthesizeDrum('hat', randomDrumParams('hat', new Rng(seed)), sr);
      const k = synthesizeDrum('kick', randomDrumParams('kick', new Rng(seed)), sr);
      const ch = spectralCentroid(h, sr);
      const ck = spectralCentroid(k, sr);
      expect(ch).toBeGreaterThan(4000);
      expect(ck).toBeLessThan(1000);
    }
  });

  test('at 22.05 kHz the filters are kept below Nyquist and the output stays finite', () => {
    const p = randomDrumParams('hat', new Rng(1));
    const x = synthesizeDrum('hat', { ...p, bandHz: 12000, highpassHz: 9000 }, 22050);
    expect(x.every((v) => Number.isFinite(v))).toBe(true);
    expect(Math.max(...x.map(Math.abs))).toBeGreaterThan(0);
  });
});

describe('building blocks', () => {
  test('sweptPhase matches the integral of f(t) = f_end (1 + (r - 1) e^{-t/τ}) summed numerically', () => {
    const sr = 8000;
    const phase = sweptPhase(50, 3, 0.04, sr, 4000);
    let acc = 0;
    for (let i = 1; i < 4000; i++) {
      // Trapezoid rule on the instantaneous frequency.
      const f = (t: number) => 50 * (1 + 2 * Math.exp(-t / 0.04));
      acc += (2 * Math.PI * (f((i - 1) / sr) + f(i / sr))) / 2 / sr;
      if (i % 500 === 0) expect(phase[i]!).toBeCloseTo(acc, 3);
    }
  });

  test('polyBlepSquare aliases far less than a naive square', () => {
    // 4096 samples at 40960 Hz give 10 Hz bins; a 3370 Hz square has its odd harmonics exactly on bins, so every
    // other bin's energy is aliasing (harmonics above Nyquist folded back).
    const sr = 40960;
    const n = 4096;
    const f = 3370;
    const dt = f / sr;
    const aliasShare = (square: (t: number) => number) => {
      const fft = new FFT(n);
      const x = Array.from({ length: n }, (_, i) => square((i * dt) % 1));
      const out = fft.createComplexArray() as number[];
      fft.realTransform(out, x);
      let total = 0;
      let alias = 0;
      for (let k = 1; k < n / 2; k++) {
        const p = out[2 * k]! ** 2 + out[2 * k + 1]! ** 2;
        total += p;
        const h = (k * sr) / n / f;
        if (!(Number.isInteger(h) && h % 2 === 1)) alias += p;
      }
      return alias / total;
    };
    expect(aliasShare((t) => (t < 0.5 ? 1 : -1))).toBeGreaterThan(0.03);
    expect(aliasShare((t) => polyBlepSquare(t, dt))).toBeLessThan(0.005);
    expect(polyBlepSquare(0.25, dt)).toBe(1);
    expect(polyBlepSquare(0.75, dt)).toBe(-1);
  });

  test('synthesizeDrum rejects params of another kind and impossible lengths', () => {
    const p = randomDrumParams('kick', new Rng(0));
    expect(() => synthesizeDrum('snare', p as never, 44100)).toThrow(/kind 'snare'/);
    expect(() => synthesizeDrum('kick', { ...p, length: p.preRoll }, 44100)).toThrow(/length/);
  });
});
