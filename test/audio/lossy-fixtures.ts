/**
 * The lossy fixtures (test/fixtures/lossy: our own signals encoded by Debian's lame/oggenc/opusenc, see its
 * README.md) and the measurements the tests make on decoded audio. Written without src/audio, so that a bug there
 * cannot hide in the measurement; the FFT is fft.js's.
 */
import * as fs from 'fs';
import * as path from 'path';
import FFT from 'fft.js';

export const LOSSY = path.join(__dirname, '..', 'fixtures', 'lossy');

interface SignalSpec {
  name: string;
  rate: number;
  frequencies: number[];
}
interface Spec {
  seconds: number;
  amplitude: number;
  click_seconds: number;
  click: number[];
  signals: SignalSpec[];
}
export interface Reference {
  signal: string;
  encoder: string;
  decoder: string;
  rate: number;
  channels: number;
  frames: number;
  attack: number;
  rms: number[];
}

export const spec: Spec = JSON.parse(fs.readFileSync(path.join(LOSSY, 'signals.json'), 'utf8'));
export const reference: Record<string, Reference> = JSON.parse(fs.readFileSync(path.join(LOSSY, 'reference.json'), 'utf8')).files;

export function fixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(LOSSY, name)));
}

export function signalOf(file: string): SignalSpec {
  return spec.signals.find((s) => s.name === reference[file]!.signal)!;
}

/** The known signal at its own rate, as make.js wrote it (before 16-bit rounding): a sine per channel plus a click. */
export function synthesize(signal: SignalSpec): Float64Array[] {
  const frames = Math.round(spec.seconds * signal.rate);
  const click = Math.round(spec.click_seconds * signal.rate);
  return signal.frequencies.map((f) => {
    const x = new Float64Array(frames);
    for (let i = 0; i < frames; i++) x[i] = spec.amplitude * Math.sin((2 * Math.PI * f * i) / signal.rate);
    spec.click.forEach((v, k) => (x[click + k] += v));
    return x;
  });
}

/**
 * Where the click's attack is, in samples at `rate`: the click starts at click_seconds, and its largest step (the
 * +0.6 → -0.6 one) is one sample later.
 */
export function expectedAttack(rate: number): number {
  return Math.round(spec.click_seconds * rate) + 1;
}

/** Index of the largest sample-to-sample step: the attack of the click (the sines' steps are far smaller). */
export function attackIndex(x: ArrayLike<number>): number {
  let best = 0;
  let at = 0;
  for (let i = 1; i < x.length; i++) {
    const d = Math.abs(x[i]! - x[i - 1]!);
    if (d > best) {
      best = d;
      at = i;
    }
  }
  return at;
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (to - from));
}

/** The frequency (Hz) of the largest bin of a Hann-windowed `n`-point FFT of x[from, from + n), interpolated. */
export function peakFrequency(x: ArrayLike<number>, rate: number, from: number, n: number): number {
  const fft = new FFT(n);
  const input = new Array<number>(n);
  for (let i = 0; i < n; i++) input[i] = x[from + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, input);
  const mag = (k: number) => Math.hypot(out[2 * k]!, out[2 * k + 1]!);
  let best = 1;
  for (let k = 2; k < n / 2; k++) if (mag(k) > mag(best)) best = k;
  // Parabolic interpolation of the log magnitudes around the peak.
  const [a, b, c] = [Math.log(mag(best - 1)), Math.log(mag(best)), Math.log(mag(best + 1))];
  const shift = (0.5 * (a - c)) / (a - 2 * b + c);
  return ((best + shift) * rate) / n;
}

/** Lag (in samples) of `y` against `x` that maximises their cross-correlation, searched within ±maxLag. */
export function bestLag(x: ArrayLike<number>, y: ArrayLike<number>, maxLag: number): number {
  let best = -Infinity;
  let lag = 0;
  for (let l = -maxLag; l <= maxLag; l++) {
    let s = 0;
    for (let i = Math.max(0, -l); i < x.length && i + l < y.length; i++) s += x[i]! * y[i + l]!;
    if (s > best) {
      best = s;
      lag = l;
    }
  }
  return lag;
}

/** Signal-to-noise ratio (dB) of `y` as a copy of `x`, sample for sample over their common length. */
export function snrDb(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = Math.min(x.length, y.length);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < n; i++) {
    signal += x[i]! * x[i]!;
    noise += (x[i]! - y[i]!) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}
