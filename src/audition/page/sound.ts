/**
 * The sound controls applied after decoding, in this order: a length trim (cut at `lengthMs`, with a linear fade
 * over the last FADE_MS so that the cut does not click), peak normalisation (to NORMALISE_PEAK_DBFS) and gain. Pure
 * functions on samples, so that the pads, the one-shot, the saved file and the kit all hear and write the same
 * thing, and Node's tests check them.
 */

export interface SoundSettings {
  /** Gain in dB after everything else (−24…+24 on the page). */
  gainDb: number;
  /** Scale the peak to NORMALISE_PEAK_DBFS (before the gain). */
  normalise: boolean;
  /** Keep this much of the sample (ms), fading out at the end; null: all of it. */
  lengthMs: number | null;
}

export const DEFAULT_SOUND: Readonly<SoundSettings> = { gainDb: 0, normalise: false, lengthMs: null };

/**
 * Where normalisation puts the peak: −1 dBFS leaves room for the inter-sample peaks that a DAC's or a resampler's
 * reconstruction can make above the largest sample (0 dBFS would clip there).
 */
export const NORMALISE_PEAK_DBFS = -1;
/** The fade at a trimmed sample's end (ms; shorter trims fade over all of it). */
export const FADE_MS = 10;

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

export function peakOf(x: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]!);
    if (a > peak) peak = a;
  }
  return peak;
}

/** 20·log10(peak), −Infinity for silence. */
export function peakDbfs(x: ArrayLike<number>): number {
  return 20 * Math.log10(peakOf(x));
}

/** Samples kept by a trim to `lengthMs` (at least 1, at most all of them). */
export function trimmedLength(total: number, sampleRate: number, lengthMs: number | null): number {
  if (lengthMs === null || !Number.isFinite(lengthMs)) return total;
  return Math.max(1, Math.min(total, Math.round((lengthMs * sampleRate) / 1000)));
}

/** The sound as the settings make it: a new array, the decoder's output untouched. */
export function renderSound(samples: Float32Array, sampleRate: number, s: SoundSettings): Float32Array {
  const n = trimmedLength(samples.length, sampleRate, s.lengthMs);
  const out = samples.slice(0, n);
  if (n < samples.length) {
    const fade = Math.min(n, Math.max(1, Math.round((FADE_MS * sampleRate) / 1000)));
    // Linear from 1 at the fade's first sample to 1/fade at the last kept one: the next (cut) sample would be 0.
    for (let k = 0; k < fade; k++) out[n - fade + k] *= (fade - k) / fade;
  }
  let scale = dbToGain(s.gainDb);
  if (s.normalise) {
    const peak = peakOf(out);
    if (peak > 0) scale *= dbToGain(NORMALISE_PEAK_DBFS) / peak;
  }
  if (scale !== 1) for (let i = 0; i < n; i++) out[i] *= scale;
  return out;
}

/** Whether two settings make the same sound. */
export function sameSound(a: SoundSettings, b: SoundSettings): boolean {
  return a.gainDb === b.gainDb && a.normalise === b.normalise && a.lengthMs === b.lengthMs;
}
