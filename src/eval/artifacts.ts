/**
 * Artifact scores for what listeners heard in the study's outputs: clicks, a noisy tail, hiss. Each works on
 * one sample; set-level numbers are means over samples (summary.ts). Formulas are repeated in docs/metrics.md.
 */
import { binFrequency, checkFftSize, welchPowerSpectrum } from './spectrum';

/** Lowest level any dB score reports (a floor instead of −∞ so results stay finite and JSON-friendly). */
export const FLOOR_DB = -200;

function toDb(powerRatio: number): number {
  return powerRatio > 0 ? Math.max(FLOOR_DB, 10 * Math.log10(powerRatio)) : FLOOR_DB;
}

function meanSquare(x: ArrayLike<number>, start: number, end: number): number {
  if (end <= start) return 0;
  let s = 0;
  for (let i = start; i < end; i++) s += x[i]! * x[i]!;
  return s / (end - start);
}

function peakAbs(x: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < x.length; i++) p = Math.max(p, Math.abs(x[i]!));
  return p;
}

/** Windows of the onset click score, in ms (docs/metrics.md). */
export const ONSET_CLICK_WINDOW_MS = 1;
/** The lead-in window stops this long before the attack, so the attack's own rise is not read as a click. */
export const ONSET_CLICK_GUARD_MS = 2;
/** The attack's energy is measured over this long from the attack. */
export const ONSET_CLICK_ATTACK_MS = 5;

/**
 * Onset click in dB, measured around the attack index `attack` (where preprocessing put every sample's peak):
 * the loudest millisecond of the lead-in against the attack,
 *   10·log10((max_w E_w + ε) / (E_attack + ε)),
 * where E_w is the mean square of x over a 1 ms window [s, s + 1 ms) lying wholly in [0, attack − 2 ms),
 * E_attack the mean square over [attack, attack + 5 ms), ε = 1e-12. A clean lead-in (silence or a low noise
 * floor) reads far below 0; a click, a burst or a DC step anywhere before the attack reads as its level relative
 * to the attack. The real set's value is reported next to it, since real lead-ins are not always silent.
 *
 * When the lead-in is shorter than guard + window (attack < 3 ms: a sample that starts at its attack), there is
 * no "before" to look at and the score is the energy jump at the start instead: the mean square of the first ms
 * against the following 5 ms.
 */
export function onsetClickDb(x: ArrayLike<number>, sampleRate: number, attack = 0): number {
  const ms = (t: number) => Math.max(1, Math.round((t * sampleRate) / 1000));
  const window = ms(ONSET_CLICK_WINDOW_MS);
  const eps = 1e-12;
  const at = Math.min(Math.max(0, Math.round(attack)), x.length);
  const leadEnd = at - Math.round((ONSET_CLICK_GUARD_MS * sampleRate) / 1000);
  if (leadEnd < window) {
    const next = ms(ONSET_CLICK_ATTACK_MS);
    const first = meanSquare(x, 0, Math.min(window, x.length));
    const following = meanSquare(x, Math.min(window, x.length), Math.min(window + next, x.length));
    return 10 * Math.log10((first + eps) / (following + eps));
  }
  // Sliding 1 ms windows over the lead-in, from prefix sums of x².
  let loudest = 0;
  let sum = 0;
  for (let i = 0; i < leadEnd; i++) {
    sum += x[i]! * x[i]!;
    if (i >= window) sum -= x[i - window]! * x[i - window]!;
    if (i >= window - 1) loudest = Math.max(loudest, sum / window);
  }
  const attackEnergy = meanSquare(x, at, Math.min(at + ms(ONSET_CLICK_ATTACK_MS), x.length));
  return 10 * Math.log10((Math.max(loudest, 0) + eps) / (attackEnergy + eps));
}

/** The largest discontinuity of a sample and where it is. */
export interface Discontinuity {
  /** max_n |d[n]| / (local RMS of d around n + floor); see maxDiscontinuity. */
  score: number;
  /** The sample index n where it occurs. */
  index: number;
}

/**
 * Sample-to-sample discontinuity: with d[n] = x[n] − x[n−1] (and x[−1] = 0, the silence before playback, so a
 * sample that starts at a non-zero value counts), the score is
 *   max_n |d[n]| / (sqrt(mean of d[m]² over W ms either side of n, excluding |m − n| <= 2) + 1e-4·peak|x| + 1e-12).
 * It measures how many times larger a jump is than the jumps around it: a smooth wave reads ≈ √2 (a sine's
 * peak-to-RMS), Gaussian noise ≈ 4–5 over a second of samples, an isolated click tens to thousands. Excluding
 * the two neighbours on each side keeps a one-sample click (which makes two big jumps, up and down) from
 * raising its own reference; the −80 dB-of-peak floor keeps round-off in digital silence from reading as a click.
 */
export function maxDiscontinuity(x: ArrayLike<number>, sampleRate: number, windowMs = 1): Discontinuity {
  const n = x.length;
  if (n === 0) return { score: 0, index: 0 };
  const w = Math.max(3, Math.round((windowMs * sampleRate) / 1000));
  const guard = 2;
  // Prefix sums of d² give every window's energy in O(1).
  const prefix = new Float64Array(n + 1);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - prev;
    prev = x[i]!;
    prefix[i + 1] = prefix[i]! + d * d;
  }
  const sum = (lo: number, hi: number): number => (hi > lo ? prefix[hi]! - prefix[lo]! : 0);
  const floor = 1e-4 * peakAbs(x) + 1e-12;
  let best = 0;
  let bestIndex = 0;
  prev = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(x[i]! - prev);
    prev = x[i]!;
    const leftLo = Math.max(0, i - w);
    const leftHi = Math.max(0, i - guard);
    const rightLo = Math.min(n, i + guard + 1);
    const rightHi = Math.min(n, i + w + 1);
    const count = Math.max(0, leftHi - leftLo) + Math.max(0, rightHi - rightLo);
    const energy = sum(leftLo, leftHi) + sum(rightLo, rightHi);
    const localRms = count > 0 ? Math.sqrt(energy / count) : 0;
    const score = d / (localRms + floor);
    if (score > best) {
      best = score;
      bestIndex = i;
    }
  }
  return { score: best, index: bestIndex };
}

/**
 * Noise floor of the tail in dB relative to the peak: 20·log10(RMS(last 25% of x) / max|x|), floored at
 * FLOOR_DB (an all-zero sample reads FLOOR_DB). A clean decay reads very low; a tail of constant hiss at
 * −60 dB reads ≈ −60.
 */
export function tailNoiseDb(x: ArrayLike<number>, tailFraction = 0.25): number {
  if (!(tailFraction > 0 && tailFraction <= 1)) throw new RangeError(`tailNoiseDb: fraction must be in (0, 1], got ${tailFraction}`);
  const peak = peakAbs(x);
  if (peak === 0) return FLOOR_DB;
  const len = Math.max(1, Math.floor(x.length * tailFraction));
  return toDb(meanSquare(x, x.length - len, x.length) / (peak * peak));
}

/** FFT size and hop of the Welch spectra behind the hiss score. */
export const HISS_FFT_SIZE = 2048;

/**
 * The hiss cutoff for a sample rate: 16 kHz, or 3/4 of the Nyquist frequency where that is lower (at 32 kHz
 * and below there is nothing above 16 kHz to measure). The summaries report the cutoff they used.
 */
export function hissCutoffHz(sampleRate: number): number {
  return Math.min(16000, (3 / 8) * sampleRate);
}

/**
 * High-frequency energy ratio: Σ_{f_k >= cutoff} P̄[k] / Σ_k P̄[k], with P̄ the Welch power spectrum (FFT 2048,
 * hop 512, Hann). Linear, in [0, 1]; 0 for silence. White noise reads (Nyquist − cutoff)/Nyquist.
 */
export function highFrequencyRatio(x: ArrayLike<number>, sampleRate: number, cutoffHz = hissCutoffHz(sampleRate)): number {
  const p = welchPowerSpectrum(x, HISS_FFT_SIZE, HISS_FFT_SIZE / 4);
  let high = 0;
  let total = 0;
  for (let k = 0; k < p.length; k++) {
    total += p[k]!;
    if (binFrequency(k, HISS_FFT_SIZE, sampleRate) >= cutoffHz) high += p[k]!;
  }
  return total > 0 ? high / total : 0;
}

/** A power ratio in dB, floored at FLOOR_DB (exported for the summaries: hiss in dB of a mean ratio). */
export function powerRatioDb(ratio: number): number {
  return toDb(ratio);
}

/**
 * Spectral flatness (Wiener entropy) of the Welch power spectrum P̄ over bins k = 1 … N/2 − 1 (DC and Nyquist
 * are left out: they are real-valued and follow a different distribution):
 *   exp(mean_k ln max(P̄[k], 1e-10)) / mean_k max(P̄[k], 1e-10).
 * 1 for a flat spectrum, → 0 for a pure tone. For white Gaussian noise a single periodogram has each bin
 * exponentially distributed, so the expected flatness is ≈ e^{−γ} ≈ 0.561; averaging M independent frames
 * makes each bin Gamma(M), giving ≈ exp(ψ(M))/M → 1. Silence reads 1 (the floor is flat), as in librosa.
 */
export function spectralFlatness(x: ArrayLike<number>, fftSize = 1024, hop = fftSize / 4): number {
  checkFftSize(fftSize);
  const p = welchPowerSpectrum(x, fftSize, hop);
  let logSum = 0;
  let sum = 0;
  const bins = fftSize / 2 - 1;
  for (let k = 1; k <= bins; k++) {
    const v = Math.max(p[k]!, 1e-10);
    logSum += Math.log(v);
    sum += v;
  }
  return Math.exp(logSum / bins) / (sum / bins);
}
