/**
 * train.augment: on-the-fly augmentation of training batches (issue 12). Small drum kits overfit (on 172 real
 * snares every model of the study reached its best validation loss at epoch 8–280); each epoch sees the same rows
 * changed a little: louder or softer, flipped, nudged in time, re-pitched, blended with another hit.
 *
 * Every part is a pure function of a row and explicit random values, so it can be checked against its closed form.
 * The random values of a batch come from one generator seeded by deriveSeed(train.seed, SeedStream.augment, step):
 * a run repeats exactly, and a resumed run draws what an uninterrupted one would have drawn (the step is in the
 * checkpoint). Each example takes the same six draws whichever parts are on, so turning one part on does not change
 * the others' values. Validation batches are never augmented: they measure the model on the real sounds.
 */
import { AugmentConfig } from '../config';
import { activeAugmentParts } from '../config/hash';
import { UserError } from '../errors';
import { resample } from '../preprocess/resample';
import { Rng } from '../util/rng';

/** Draws per example, always all of them: gain, polarity, shift, pitch, blend weight, partner. */
const DRAWS_PER_EXAMPLE = 6;
/**
 * Pitch shifts take one of 2·PITCH_STEPS_PER_SIDE + 1 equally spaced values in ±pitch_semitones: each non-zero
 * shift needs its own resampling filter (tens of milliseconds to design), and the resampler keeps the 16 it used
 * last, so 14 non-zero shifts are designed once per run instead of once per example.
 */
export const PITCH_STEPS_PER_SIDE = 7;

/** The dataset facts augmentation needs. */
export interface AugmentTarget {
  sampleRate: number;
  /** Samples per row. */
  length: number;
  /** Index of the attack (the peak) in every row: pitch shifts keep it there. */
  attack: number;
}

/** x ← x · 10^(dB/20), in place. */
export function applyGain(row: Float32Array, db: number): void {
  const factor = 10 ** (db / 20);
  for (let i = 0; i < row.length; i++) row[i]! *= factor;
}

/** x ← −x, in place. */
export function flipPolarity(row: Float32Array): void {
  for (let i = 0; i < row.length; i++) row[i] = -row[i]!;
}

/** y[t] = x[t − k] (k > 0: later), zeros where t − k falls outside the row; in place. */
export function shiftRow(row: Float32Array, k: number): void {
  const n = row.length;
  if (k === 0) return;
  if (Math.abs(k) >= n) {
    row.fill(0);
  } else if (k > 0) {
    row.copyWithin(k, 0, n - k);
    row.fill(0, 0, k);
  } else {
    row.copyWithin(0, -k, n);
    row.fill(0, n + k);
  }
}

/**
 * The row played 2^(semitones/12) times faster (every frequency times that factor, the sound that much shorter),
 * through the band-limited resampler, with the sample at `attack` kept at `attack` (to within half a sample):
 * before it, what the speed-up leaves uncovered is zeros (a row starts from silence or is cut by the slow-down);
 * after it, the tail is zero-filled or cut at the row's end. Returns a new array of the same length.
 */
export function pitchShift(row: Float32Array, semitones: number, sampleRate: number, attack: number): Float32Array {
  if (semitones === 0) return row.slice();
  const ratio = 2 ** (semitones / 12);
  // Output sample m sits at input position m·ratio: reading the input `ratio` times faster.
  const faster = resample(row, sampleRate * ratio, sampleRate);
  // The attack lands at output position attack/ratio; moving the output by a whole number of samples puts it back.
  const offset = Math.round(attack / ratio) - attack;
  const out = new Float32Array(row.length);
  for (let m = 0; m < out.length; m++) {
    const j = m + offset;
    if (j >= 0 && j < faster.length) out[m] = faster[j]!;
  }
  return out;
}

/** x ← x·(1 − λ) + y·λ, in place. */
export function mixInto(row: Float32Array, partner: Float32Array, lambda: number): void {
  for (let i = 0; i < row.length; i++) row[i] = row[i]! * (1 - lambda) + partner[i]! * lambda;
}

/** The random values of one example, as the parts use them. */
export interface ExampleDraws {
  gainDb: number;
  flip: boolean;
  /** Samples (positive: later). */
  shift: number;
  semitones: number;
  lambda: number;
  /** Index of the blending partner in the batch (another example; itself only in a batch of one). */
  partner: number;
}

/** Applies a config's train.augment to training batches; create one per run with createAugmenter. */
export class Augmenter {
  readonly maxShift: number;

  constructor(
    readonly spec: AugmentConfig,
    readonly target: AugmentTarget,
  ) {
    this.maxShift = Math.round((spec.shift_ms * target.sampleRate) / 1000);
    if (this.maxShift >= target.length) {
      throw new UserError(
        `train.augment.shift_ms ${spec.shift_ms} is ${this.maxShift} samples at the dataset's ${target.sampleRate} Hz, ` +
          `as long as a whole row (${target.length} samples) or longer: lower it`,
      );
    }
  }

  /** One line for the run's log: what is on, with its settings. */
  describe(): string {
    const s = this.spec;
    const parts: string[] = [];
    if (s.gain_db && (s.gain_db[0] !== 0 || s.gain_db[1] !== 0)) parts.push(`gain ${s.gain_db[0]}…${s.gain_db[1]} dB`);
    if (s.polarity) parts.push('polarity flip (p = 0.5)');
    if (this.maxShift > 0) parts.push(`shift ±${s.shift_ms} ms (±${this.maxShift} samples)`);
    if (s.pitch_semitones > 0) parts.push(`pitch ±${s.pitch_semitones} semitones (${2 * PITCH_STEPS_PER_SIDE + 1} steps, attack kept at sample ${this.target.attack})`);
    if (s.mix > 0) parts.push(`mix with a batch partner, λ uniform in [0, ${s.mix}]`);
    return `augmenting training batches (validation batches are not): ${parts.length > 0 ? parts.join(', ') : 'nothing (every part is off)'}`;
  }

  /** The draws of `count` examples from a batch seed (the same seed gives the same draws). */
  draws(count: number, seed: number): ExampleDraws[] {
    const rng = new Rng(seed);
    const s = this.spec;
    const out: ExampleDraws[] = [];
    for (let i = 0; i < count; i++) {
      const u = Array.from({ length: DRAWS_PER_EXAMPLE }, () => rng.next());
      const [lo, hi] = s.gain_db ?? [0, 0];
      let partner = i;
      if (count > 1) {
        partner = Math.floor(u[5]! * (count - 1));
        if (partner >= i) partner++;
      }
      const step = Math.floor(u[3]! * (2 * PITCH_STEPS_PER_SIDE + 1)) - PITCH_STEPS_PER_SIDE;
      out.push({
        gainDb: lo + (hi - lo) * u[0]!,
        flip: u[1]! < 0.5,
        shift: Math.floor(u[2]! * (2 * this.maxShift + 1)) - this.maxShift,
        semitones: (step * s.pitch_semitones) / PITCH_STEPS_PER_SIDE,
        lambda: u[4]! * s.mix,
        partner,
      });
    }
    return out;
  }

  /** Augments the first `count` rows of `rows` (consecutive rows of target.length samples) in place. */
  apply(rows: Float32Array, count: number, seed: number): void {
    const { length, sampleRate, attack } = this.target;
    const s = this.spec;
    const draws = this.draws(count, seed);
    for (let i = 0; i < count; i++) {
      const d = draws[i]!;
      const row = rows.subarray(i * length, (i + 1) * length);
      if (s.pitch_semitones > 0 && d.semitones !== 0) row.set(pitchShift(row, d.semitones, sampleRate, attack));
      if (d.shift !== 0) shiftRow(row, d.shift);
      if (s.gain_db && d.gainDb !== 0) applyGain(row, d.gainDb);
      if (s.polarity && d.flip) flipPolarity(row);
    }
    if (s.mix > 0 && count > 1) {
      // Partners are read from a copy: each example blends with its partner as the other parts left it, unmixed.
      const before = rows.slice(0, count * length);
      for (let i = 0; i < count; i++) {
        const d = draws[i]!;
        mixInto(rows.subarray(i * length, (i + 1) * length), before.subarray(d.partner * length, (d.partner + 1) * length), d.lambda);
      }
    }
  }

  /**
   * Keeps a conditional model's condition vectors (consecutive rows of `width`) true to the rows apply() augmented
   * with the same seed: a gain of g dB moves the velocity (the last number, when `velocityPerDb` is given) by
   * g·velocityPerDb, since the row is now that much louder; a mix blends each example's condition with its partner's
   * by the same λ (a kick mixed 30% into a snare is conditioned as 0.7 snare + 0.3 kick). Polarity, shift and pitch
   * leave class and level as they are.
   */
  applyToConditions(conditions: Float32Array, width: number, count: number, seed: number, velocityPerDb: number | null): void {
    const s = this.spec;
    const draws = this.draws(count, seed);
    if (velocityPerDb !== null && s.gain_db) {
      for (let i = 0; i < count; i++) conditions[i * width + width - 1]! += draws[i]!.gainDb * velocityPerDb;
    }
    if (s.mix > 0 && count > 1) {
      const before = conditions.slice(0, count * width);
      for (let i = 0; i < count; i++) {
        const d = draws[i]!;
        mixInto(conditions.subarray(i * width, (i + 1) * width), before.subarray(d.partner * width, (d.partner + 1) * width), d.lambda);
      }
    }
  }
}

/** The run's augmenter, or null when train.augment is off (null, or every part off): then batches are untouched. */
export function createAugmenter(spec: AugmentConfig | null, target: AugmentTarget): Augmenter | null {
  if (!activeAugmentParts(spec)) return null;
  return new Augmenter(spec!, target);
}
