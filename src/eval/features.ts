/**
 * The feature vectors behind the generation metrics (Fréchet distance, NDB, nearest neighbours): per-band
 * statistics of a log-mel spectrogram that starts at the attack and is floored relative to the real set.
 *
 * Why not the whole sample with an absolute floor: preprocessing puts the attack 0.1 s into every sample, so a
 * quarter of the frames of a typical row are lead-in. Real rows hold exact zeros there (the −100 dB floor); a
 * model's output holds a faint noise instead, and a noise floor at −60 dBFS, inaudible under the hit, moved every
 * band's mean and deviation by tens of dB: the Fréchet distance of 172 snares against 172 others plus −60 dBFS
 * of white noise was 2.1e4 dB², against the others alone 94 (docs/metrics.md has the table; now 580 and 34).
 */
import { bandStatistics, melPowerSpectrogram } from './mel';

/** The feature definition; docs/metrics.md states the same numbers. */
export const GENERATION_FEATURES = {
  /** Mel bands: 32 bands give 64 features, few enough that a few hundred samples give a full-rank covariance. */
  bands: 32,
  fftSize: 1024,
  hop: 256,
  /** Levels more than this far below the real set's typical loudest band count as silence (RT60's 60 dB). */
  rangeDb: 60,
  /** The floor of an all-silent real set (no loudest band to measure from): −100 dB as before. */
  silentFloor: 1e-10,
} as const;

/** Features per sample: a mean and a deviation per band. */
export const GENERATION_FEATURE_DIM = 2 * GENERATION_FEATURES.bands;

/** What turns a sample into its feature vector; fitted once on the real set, then applied to every set. */
export interface FeatureSpace {
  sampleRate: number;
  /** The attack index of the samples (the peak position preprocessing chose). */
  attack: number;
  /** The power floor added before the logarithm, in mel-band power units. */
  floorPower: number;
  dim: number;
}

/** The first sample analysed: the first frame is centred on the attack, so it sees the rise and nothing earlier. */
export function analysisStart(attack: number): number {
  return Math.max(0, attack - GENERATION_FEATURES.fftSize / 2);
}

function melFromAttack(x: ArrayLike<number>, sampleRate: number, attack: number): ReturnType<typeof melPowerSpectrogram> {
  const start = Math.min(analysisStart(attack), Math.max(0, x.length - 1));
  const view = x instanceof Float32Array || x instanceof Float64Array ? x.subarray(start) : Array.prototype.slice.call(x, start);
  const { bands, fftSize, hop } = GENERATION_FEATURES;
  return melPowerSpectrogram(view, sampleRate, { bands, fftSize, hop });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Fits the feature space on the real set: floor = 10^(−rangeDb/10) × the median over real samples of each
 * sample's loudest mel-band power (a median, so one very loud or silent row does not move it). Returns the space
 * and the real set's features (computed on the way, so the set is analysed once).
 */
export function fitFeatureSpace(
  real: readonly ArrayLike<number>[],
  sampleRate: number,
  attack: number,
): { space: FeatureSpace; features: Float64Array[] } {
  const mels = real.map((x) => melFromAttack(x, sampleRate, attack));
  const loudest = mels.map((m) => m.data.reduce((a, v) => (v > a ? v : a), 0));
  const reference = loudest.length > 0 ? median(loudest) : 0;
  const floorPower = reference > 0 ? reference * 10 ** (-GENERATION_FEATURES.rangeDb / 10) : GENERATION_FEATURES.silentFloor;
  const space: FeatureSpace = { sampleRate, attack, floorPower, dim: GENERATION_FEATURE_DIM };
  return { space, features: mels.map((m) => bandStatistics(m, floorPower)) };
}

/** The feature vector of one sample in a fitted space. */
export function generationFeatures(space: FeatureSpace, x: ArrayLike<number>): Float64Array {
  return bandStatistics(melFromAttack(x, space.sampleRate, space.attack), space.floorPower);
}
