import { Rng } from '../util/rng';
import { biquadCoefficients, biquadFilter } from './biquad';

/**
 * A small drum synthesizer, so that the whole pipeline can run on a machine with no sample library. The sounds
 * are simple physical/analog models, and each file gets random level, pitch, decay, pre-roll, length, sample
 * rate and channel count, so that preprocessing (resampling, peak alignment, trimming, channel choice) has the
 * same work to do as with real one-shots.
 */

export type DrumKind = 'snare' | 'kick' | 'hat';
export const DRUM_KINDS: readonly DrumKind[] = ['snare', 'kick', 'hat'];

/** What every kind shares: where the hit sits in the file and how loud it is. */
interface CommonParams {
  /** Peak level of the hit, dBFS (≤ 0). */
  levelDb: number;
  /** Seconds of silence or noise floor before the hit starts. */
  preRoll: number;
  /** Total file length in seconds, pre-roll included. */
  length: number;
  /** RMS level (dBFS) of white noise under the whole file, like a recording's noise floor; null = digital silence. */
  noiseFloorDb: number | null;
  /** Seconds of the raised-cosine onset ramp (a hard step at onset would click). */
  attack: number;
  /** Seed of the white noise (wires, click, hat noise, noise floor), so the params alone fix the sound. */
  noiseSeed: number;
}

/** A membrane struck once: a few circular-membrane modes plus the rattle of the snare wires. */
export interface SnareParams extends CommonParams {
  kind: 'snare';
  /** Frequency (Hz) of the lowest membrane mode, reached after the strike's pitch glide. */
  pitchHz: number;
  /** The strike stretches the head, so pitch starts this many times higher and glides down. */
  sweepRatio: number;
  /** Time constant (s) of that glide. */
  sweepTime: number;
  /** Time (s) for the lowest mode to fall by 60 dB; higher modes die faster. */
  decay: number;
  /** Relative amplitudes of the membrane modes (one per entry of SNARE_MODE_RATIOS). */
  modeGains: number[];
  /** Share (0..1) of the wires' band-passed noise in the mix. */
  wiresMix: number;
  /** Time (s) for the wires to fall by 60 dB (an envelope of their own). */
  wiresDecay: number;
  /** Centre (Hz) and Q of the wires' band-pass. */
  wiresHz: number;
  wiresQ: number;
}

/** A sine whose pitch falls exponentially (the classic analog kick), plus a short noise click for the beater. */
export interface KickParams extends CommonParams {
  kind: 'kick';
  /** Final body frequency (Hz). */
  pitchHz: number;
  /** The body starts at pitchHz × sweepRatio. */
  sweepRatio: number;
  /** Time constant (s) of the exponential pitch fall. */
  sweepTime: number;
  /** Time (s) for the body to fall by 60 dB. */
  decay: number;
  /** Peak of the click relative to the body's peak. */
  clickLevel: number;
  /** Time (s) for the click to fall by 60 dB. */
  clickDecay: number;
  /** Centre (Hz) and Q of the click's band-pass. */
  clickHz: number;
  clickQ: number;
}

/** Six square oscillators at the TR-808's metallic ratios plus noise, band- and high-passed, with a short envelope. */
export interface HatParams extends CommonParams {
  kind: 'hat';
  /** Frequency (Hz) of the lowest oscillator (205.3 Hz on the 808). */
  pitchHz: number;
  /** Relative amplitudes of the six oscillators. */
  oscGains: number[];
  /** Open hats ring; closed ones are choked. Only documents which decay range was drawn. */
  open: boolean;
  /** Time (s) for the hat to fall by 60 dB. */
  decay: number;
  /** Share (0..1) of white noise mixed with the oscillators before filtering. */
  noiseMix: number;
  /** Centre (Hz) and Q of the band-pass; lowered to 0.4 × sample rate when above it. */
  bandHz: number;
  bandQ: number;
  /** Cut-off (Hz) of the high-pass that follows; kept below the band's centre. */
  highpassHz: number;
}

export type DrumParams = SnareParams | KickParams | HatParams;
export type DrumParamsOf<K extends DrumKind> = Extract<DrumParams, { kind: K }>;

/**
 * Mode frequencies of an ideal circular membrane relative to the lowest, (0,1): ratios of the Bessel zeros
 * j01, j11, j21, j02, j31, j12 = 2.405, 3.832, 5.136, 5.520, 6.380, 7.016.
 */
export const SNARE_MODE_RATIOS: readonly number[] = [1, 1.593, 2.136, 2.295, 2.653, 2.917];

/** The TR-808 cymbal/hat oscillators ran at 205.3, 304.4, 369.6, 522.7, 540 and 800 Hz; these are their ratios. */
export const HAT_OSC_RATIOS: readonly number[] = [205.3, 304.4, 369.6, 522.7, 540, 800].map((f) => f / 205.3);

/** Sample rates drawn for files (with weights), so that resampling has work to do. */
export const SYNTH_SAMPLE_RATES: readonly { rate: number; weight: number }[] = [
  { rate: 44100, weight: 0.4 },
  { rate: 48000, weight: 0.3 },
  { rate: 22050, weight: 0.15 },
  { rate: 96000, weight: 0.15 },
];

/** Share of files written as stereo (two slightly different takes of the same hit). */
export const STEREO_SHARE = 0.3;

/**
 * Draws the parameters of one hit. The draws happen in a fixed order, so a given Rng state always yields the same
 * params; ranges are chosen to sound like plausible acoustic/analog drums, not to cover every drum there is.
 */
export function randomDrumParams<K extends DrumKind>(kind: K, rng: Rng): DrumParamsOf<K> {
  const levelDb = rng.uniform(-18, -0.3);
  const preRoll = rng.uniform(0, 0.15);
  // At least 0.15 s of hit after the pre-roll, so even the shortest file holds the transient and some decay.
  const length = Math.max(rng.uniform(0.3, 1.2), preRoll + 0.15);
  const noiseFloorDb = rng.next() < 0.5 ? null : rng.uniform(-84, -60);
  const noiseSeed = rng.seed();
  const common = { levelDb, preRoll, length, noiseFloorDb, noiseSeed };
  let params: DrumParams;
  switch (kind as DrumKind) {
    case 'snare':
      params = {
        kind: 'snare',
        ...common,
        attack: rng.uniform(0.0003, 0.0015),
        pitchHz: rng.uniform(150, 280),
        sweepRatio: rng.uniform(1, 1.08),
        sweepTime: rng.uniform(0.005, 0.02),
        decay: rng.uniform(0.08, 0.35),
        modeGains: SNARE_MODE_RATIOS.map((_, k) => (k === 0 ? 1 : rng.uniform(0.15, 0.8))),
        wiresMix: rng.uniform(0.35, 0.75),
        wiresDecay: rng.uniform(0.12, 0.45),
        wiresHz: logUniform(rng, 1800, 6000),
        wiresQ: rng.uniform(0.5, 1.5),
      };
      break;
    case 'kick':
      params = {
        kind: 'kick',
        ...common,
        attack: rng.uniform(0.0005, 0.003),
        pitchHz: rng.uniform(40, 70),
        sweepRatio: rng.uniform(2, 4),
        sweepTime: rng.uniform(0.015, 0.06),
        decay: rng.uniform(0.25, 0.9),
        clickLevel: rng.uniform(0.05, 0.35),
        clickDecay: rng.uniform(0.003, 0.012),
        clickHz: logUniform(rng, 1500, 5000),
        clickQ: rng.uniform(0.5, 1.2),
      };
      break;
    case 'hat': {
      const open = rng.next() < 0.3;
      params = {
        kind: 'hat',
        ...common,
        attack: rng.uniform(0.0002, 0.001),
        pitchHz: rng.uniform(170, 250),
        oscGains: HAT_OSC_RATIOS.map(() => rng.uniform(0.6, 1)),
        open,
        decay: open ? rng.uniform(0.3, 0.9) : rng.uniform(0.04, 0.15),
        noiseMix: rng.uniform(0.2, 0.6),
        bandHz: logUniform(rng, 7000, 12000),
        bandQ: rng.uniform(0.6, 1.5),
        highpassHz: rng.uniform(5000, 8000),
      };
      break;
    }
    default:
      throw new RangeError(`unknown drum kind ${String(kind)}`);
  }
  return params as DrumParamsOf<K>;
}

/** Renders one hit as mono samples at `sampleRate`: pre-roll, then the hit scaled to its peak level; peak ≤ 1. */
export function synthesizeDrum<K extends DrumKind>(kind: K, params: DrumParamsOf<K>, sampleRate: number): Float32Array {
  if (params.kind !== kind) throw new RangeError(`synthesizeDrum: kind '${kind}' but params are for '${params.kind}'`);
  checkCommon(params, sampleRate);
  const total = Math.round(params.length * sampleRate);
  const start = Math.round(params.preRoll * sampleRate);
  const noise = new Rng(params.noiseSeed);
  const p = params as DrumParams;
  const hit =
    p.kind === 'snare' ? snare(p, sampleRate, total - start, noise)
    : p.kind === 'kick' ? kick(p, sampleRate, total - start, noise)
    : hat(p, sampleRate, total - start, noise);
  applyAttack(hit, Math.round(params.attack * sampleRate));
  // The file may end before the hit has died away; a 10 ms fade keeps the cut from clicking.
  applyFadeOut(hit, Math.min(Math.round(0.01 * sampleRate), Math.floor(hit.length / 4)));
  scaleToPeak(hit, dbToGain(params.levelDb));

  const out = new Float32Array(total);
  for (let i = 0; i < hit.length; i++) out[start + i] = hit[i]!;
  if (params.noiseFloorDb !== null) {
    // Uniform noise in [-1, 1) has RMS 1/sqrt(3).
    const g = dbToGain(params.noiseFloorDb) * Math.sqrt(3);
    for (let i = 0; i < total; i++) out[i] = out[i]! + g * noise.uniform(-1, 1);
  }
  // The level range keeps hit + floor below 1; this only guards the contract against hand-made params.
  const peak = peakOf(out);
  if (peak > 1) for (let i = 0; i < total; i++) out[i] = out[i]! / peak;
  return out;
}

/** One file of a set: its name, sample rate and channels (1 or 2, equal length). */
export interface SynthFile {
  name: string;
  sampleRate: number;
  channels: Float32Array[];
  params: DrumParams;
}

/**
 * Yields `count` files named `<kind>-0001.wav`…; file i depends only on (kind, seed, i), so any file can be
 * regenerated alone and a longer set starts with the files of a shorter one.
 */
export function* synthesizeSet(opts: { kind: DrumKind; count: number; seed: number }): Generator<SynthFile> {
  const digits = Math.max(4, String(opts.count).length);
  for (let i = 0; i < opts.count; i++) {
    const rng = fileRng(opts.kind, opts.seed, i);
    const sampleRate = pickSampleRate(rng);
    const params = randomDrumParams(opts.kind, rng);
    const channels = [synthesizeDrum(opts.kind, params, sampleRate)];
    if (rng.next() < STEREO_SHARE) {
      // A second microphone: the same hit, a hair later, slightly detuned and quieter, with its own noise.
      const right: DrumParams = {
        ...params,
        noiseSeed: rng.seed(),
        preRoll: params.preRoll + rng.uniform(0, 0.0005),
        levelDb: params.levelDb - rng.uniform(0, 1.5),
        pitchHz: params.pitchHz * (1 + rng.uniform(-0.006, 0.006)),
      };
      channels.push(synthesizeDrum(opts.kind, right as DrumParamsOf<typeof opts.kind>, sampleRate));
    }
    yield { name: `${opts.kind}-${String(i + 1).padStart(digits, '0')}.wav`, sampleRate, channels, params };
  }
}

/**
 * A generator for file `index` of a set, from a hash of (kind, seed, index): no dependence on the files before it.
 * The murmur3 finaliser is a bijection on 32 bits, so distinct indices of one (kind, seed) never share a state.
 */
export function fileRng(kind: DrumKind, seed: number, index: number): Rng {
  const salt = DRUM_KINDS.indexOf(kind) + 1;
  let h = fmix32(((seed >>> 0) ^ Math.imul(salt, 0x27d4eb2f)) >>> 0);
  h = fmix32((h + Math.imul(index + 1, 0x9e3779b9)) >>> 0);
  const state: number[] = [];
  for (let k = 0; k < 4; k++) {
    h = fmix32((h + 0x9e3779b9) >>> 0);
    state.push(h);
  }
  return new Rng(state);
}

// ---------------------------------------------------------------------------------------------------------------
// Voices. Each returns the hit (no pre-roll) as Float64Array of `n` samples with an arbitrary peak.

function snare(p: SnareParams, sr: number, n: number, noise: Rng): Float64Array {
  // Phase of the lowest mode with its exponential glide; mode k runs at ratio_k times that phase.
  const phase = sweptPhase(p.pitchHz, p.sweepRatio, p.sweepTime, sr, n);
  const body = new Float64Array(n);
  SNARE_MODE_RATIOS.forEach((ratio, k) => {
    if (p.pitchHz * ratio * p.sweepRatio >= sr / 2) return;
    // Higher modes lose energy faster (air loading and the wires damp them), so their T60 shrinks with ratio.
    const step = Math.exp(-Math.log(1000) / (p.decay / ratio) / sr);
    const gain = p.modeGains[k] ?? 0;
    let env = 1;
    for (let i = 0; i < n; i++) {
      body[i] = body[i]! + gain * env * Math.sin(ratio * phase[i]!);
      env *= step;
    }
  });
  const wires = whiteNoise(noise, n);
  const filtered = biquadFilter(wires, biquadCoefficients('bandpass', clampHz(p.wiresHz, sr, 0.45), p.wiresQ, sr));
  applyDecay(filtered, p.wiresDecay, sr);
  return mix(body, filtered, p.wiresMix);
}

function kick(p: KickParams, sr: number, n: number, noise: Rng): Float64Array {
  const phase = sweptPhase(p.pitchHz, p.sweepRatio, p.sweepTime, sr, n);
  const body = new Float64Array(n);
  for (let i = 0; i < n; i++) body[i] = Math.sin(phase[i]!);
  applyDecay(body, p.decay, sr);
  scaleToPeak(body, 1);
  // The click only needs its first few ms; filtering the whole buffer keeps the code simple and costs little.
  const click = biquadFilter(whiteNoise(noise, n), biquadCoefficients('bandpass', clampHz(p.clickHz, sr, 0.45), p.clickQ, sr));
  applyDecay(click, p.clickDecay, sr);
  scaleToPeak(click, p.clickLevel);
  for (let i = 0; i < n; i++) body[i] = body[i]! + click[i]!;
  return body;
}

function hat(p: HatParams, sr: number, n: number, noise: Rng): Float64Array {
  const metal = new Float64Array(n);
  HAT_OSC_RATIOS.forEach((ratio, k) => {
    const dt = (p.pitchHz * ratio) / sr;
    const gain = p.oscGains[k] ?? 0;
    // Start the oscillators at different phases, as free-running analog oscillators would be.
    let t = (k * 0.37) % 1;
    for (let i = 0; i < n; i++) {
      metal[i] = metal[i]! + gain * polyBlepSquare(t, dt);
      t += dt;
      if (t >= 1) t -= 1;
    }
  });
  const source = mix(metal, whiteNoise(noise, n), p.noiseMix);
  const bandHz = clampHz(p.bandHz, sr, 0.4);
  const band = biquadFilter(source, biquadCoefficients('bandpass', bandHz, p.bandQ, sr));
  const out = biquadFilter(band, biquadCoefficients('highpass', Math.min(p.highpassHz, 0.75 * bandHz), Math.SQRT1_2, sr));
  applyDecay(out, p.decay, sr);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

/**
 * Phase (radians) of a sine whose frequency falls exponentially from endHz·ratio to endHz with time constant tau:
 * f(t) = endHz·(1 + (ratio − 1)·e^{−t/τ}), integrated in closed form, φ(t) = 2π·endHz·(t + (ratio − 1)·τ·(1 − e^{−t/τ})),
 * so no error accumulates over the file as a running sum would.
 */
export function sweptPhase(endHz: number, ratio: number, tau: number, sr: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = Math.exp(-1 / (tau * sr));
  let e = 1; // e^{-t/τ}, by recurrence: one multiply per sample instead of an exp
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    out[i] = 2 * Math.PI * endHz * (t + (ratio - 1) * tau * (1 - e));
    e *= step;
  }
  return out;
}

/**
 * A square wave with PolyBLEP corrections at its two edges: a naive square aliases badly at high pitches and low
 * sample rates (22.05 kHz), and additive synthesis of its harmonics would cost hundreds of sines per sample.
 */
export function polyBlepSquare(t: number, dt: number): number {
  let v = t < 0.5 ? 1 : -1;
  v += polyBlep(t, dt);
  v -= polyBlep((t + 0.5) % 1, dt);
  return v;
}

function polyBlep(t: number, dt: number): number {
  if (t < dt) {
    const x = t / dt;
    return x + x - x * x - 1;
  }
  if (t > 1 - dt) {
    const x = (t - 1) / dt;
    return x * x + x + x + 1;
  }
  return 0;
}

function whiteNoise(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** (1 − share)·a + share·b after bringing both to peak 1, so that `share` means the same whatever their levels. */
function mix(a: Float64Array, b: Float64Array, share: number): Float64Array {
  scaleToPeak(a, 1 - share);
  scaleToPeak(b, share);
  for (let i = 0; i < a.length; i++) a[i] = a[i]! + b[i]!;
  return a;
}

/** Multiplies by an exponential envelope that falls 60 dB in `t60` seconds. */
function applyDecay(x: Float64Array, t60: number, sr: number): void {
  const step = Math.exp(-Math.log(1000) / (t60 * sr));
  let env = 1;
  for (let i = 0; i < x.length; i++) {
    x[i] = x[i]! * env;
    env *= step;
  }
}

function applyAttack(x: Float64Array, n: number): void {
  for (let i = 0; i < Math.min(n, x.length); i++) x[i] = x[i]! * 0.5 * (1 - Math.cos((Math.PI * i) / n));
}

function applyFadeOut(x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) x[x.length - 1 - i] = x[x.length - 1 - i]! * 0.5 * (1 - Math.cos((Math.PI * i) / n));
}

function scaleToPeak(x: Float64Array, target: number): void {
  const peak = peakOf(x);
  if (peak === 0) return;
  const g = target / peak;
  for (let i = 0; i < x.length; i++) x[i] = x[i]! * g;
}

function peakOf(x: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]!));
  return peak;
}

function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** Keeps a filter frequency below `fraction` of the sample rate (params are drawn without knowing the rate). */
function clampHz(hz: number, sr: number, fraction: number): number {
  return Math.min(hz, fraction * sr);
}

function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

function pickSampleRate(rng: Rng): number {
  let u = rng.next();
  for (const { rate, weight } of SYNTH_SAMPLE_RATES) {
    if (u < weight) return rate;
    u -= weight;
  }
  return SYNTH_SAMPLE_RATES[0]!.rate;
}

function checkCommon(p: DrumParams, sr: number): void {
  if (!(Number.isInteger(sr) && sr >= 8000)) throw new RangeError(`sample rate must be an integer ≥ 8000 Hz, got ${sr}`);
  if (!(p.levelDb <= 0)) throw new RangeError(`levelDb must be ≤ 0 dBFS, got ${p.levelDb}`);
  if (!(p.preRoll >= 0)) throw new RangeError(`preRoll must be ≥ 0 s, got ${p.preRoll}`);
  if (!(Math.round(p.length * sr) - Math.round(p.preRoll * sr) >= 16)) {
    throw new RangeError(`length ${p.length} s leaves no room for the hit after a pre-roll of ${p.preRoll} s`);
  }
  if (!(p.attack >= 0)) throw new RangeError(`attack must be ≥ 0 s, got ${p.attack}`);
}

/** murmur3's 32-bit finaliser: a cheap bijective mixer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
