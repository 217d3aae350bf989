/**
 * Conditioning of the conditional families (issue 13): what a model is conditioned on, how a dataset row's class
 * and level become the condition vector that enters its encoder and decoder, and how a user's request (a class, a
 * mix of classes, a velocity or a level in dBFS) becomes the same vector at generation time. Pure functions: the
 * trainer, the export, `generate` and the audition page share them, so that training and use agree on the layout.
 *
 * Layout of a condition vector: the classes one-hot (in the order `classes` lists them; a mix puts its weights
 * there, summing to 1), then the velocity, one number in [0, 1]. A one-hot vector into a dense layer is a learned
 * embedding of the class (the layer's weights for that input are the class's vector), so no separate embedding
 * layer is needed, and the decoder stays a stock TF.js model with two inputs.
 *
 * Velocity is the row's attack loudness (`attack_rms_dbfs` of dataset.json: the RMS of the source's attack before
 * any processing; nothing in preprocess normalises, so the level is part of the signal a model learns) as a
 * position in the training set's range: 0 at its quietest row, 1 at its loudest.
 */
import type { DatasetInfo } from '../data/format';
import { DRUM_CLASSES } from '../data/label-names';
import { UserError } from '../errors';

/** `model.condition` as the config spells it (null: unconditional). */
export interface ConditionConfig {
  class?: boolean;
  velocity?: boolean;
}

/** What a conditional model's condition vector holds; sampgen.json records it as `condition`. */
export interface ConditionLayout {
  /** The classes of the one-hot part, in vector order, or null when the model is not conditioned on class. */
  classes: string[] | null;
  /** Training rows per class (same order), for defaults and reports. */
  class_counts: number[] | null;
  /** The level range velocity 0…1 spans, or null when the model is not conditioned on velocity. */
  velocity: { feature: 'attack_rms_dbfs'; min_dbfs: number; max_dbfs: number } | null;
}

/** The condition config when conditioning is on, else null (absent, null, or every part false). */
export function activeCondition(condition: ConditionConfig | null | undefined): Required<ConditionConfig> | null {
  if (!condition) return null;
  const on = { class: condition.class === true, velocity: condition.velocity === true };
  return on.class || on.velocity ? on : null;
}

/** Numbers per condition vector. */
export function conditionWidth(layout: ConditionLayout): number {
  return (layout.classes?.length ?? 0) + (layout.velocity ? 1 : 0);
}

/**
 * The layout a dataset gives a condition config: its classes in DRUM_CLASSES order (only those with rows) and its
 * level range. A dataset without classes or levels (format 1, or preprocessed with --labels none), with a single
 * class, or whose rows all have one level cannot train what was asked: a UserError says what to change.
 */
export function conditionLayoutOf(condition: Required<ConditionConfig>, info: DatasetInfo, datasetDir: string): ConditionLayout {
  const layout: ConditionLayout = { classes: null, class_counts: null, velocity: null };
  if (condition.class) {
    if (info.files.some((f) => f.class === undefined)) {
      throw new UserError(
        `model.condition.class needs drum classes, but dataset ${datasetDir} has none (made before dataset format 2): ` +
          `preprocess the sources again (sampgen preprocess --labels auto|folder|name|<file.csv>)`,
      );
    }
    const counts = new Map<string, number>();
    for (const f of info.files) counts.set(f.class!, (counts.get(f.class!) ?? 0) + 1);
    if (info.labels?.source === 'none' || (counts.size === 1 && counts.has('unknown'))) {
      throw new UserError(
        `model.condition.class needs drum classes, but every row of dataset ${datasetDir} is 'unknown' ` +
          `(labels: ${info.labels?.source ?? 'none'}): preprocess with --labels folder, name or a CSV, or set model.condition.class: false`,
      );
    }
    if (counts.size < 2) {
      throw new UserError(
        `model.condition.class: every row of dataset ${datasetDir} is '${[...counts.keys()][0]}', so there is no class to choose between; ` +
          `train on a folder of several drum classes, or set model.condition.class: false`,
      );
    }
    const known: readonly string[] = DRUM_CLASSES;
    layout.classes = [...counts.keys()].sort((a, b) => known.indexOf(a) - known.indexOf(b));
    layout.class_counts = layout.classes.map((c) => counts.get(c)!);
  }
  if (condition.velocity) {
    const levels = info.files.map((f) => f.attack_rms_dbfs);
    if (levels.some((l) => typeof l !== 'number' || !Number.isFinite(l))) {
      throw new UserError(
        `model.condition.velocity needs each row's level, but dataset ${datasetDir} has none (made before dataset format 2): ` +
          `preprocess the sources again`,
      );
    }
    const min = Math.min(...(levels as number[]));
    const max = Math.max(...(levels as number[]));
    // Below 0.5 dB of spread the rows are one level for any listener: nothing to learn, and velocity would be noise.
    if (max - min < 0.5) {
      throw new UserError(
        `model.condition.velocity: the rows of dataset ${datasetDir} all have about one attack level (${min.toFixed(1)}…${max.toFixed(1)} dBFS), ` +
          `so there is no velocity to learn; set model.condition.velocity: false`,
      );
    }
    layout.velocity = { feature: 'attack_rms_dbfs', min_dbfs: min, max_dbfs: max };
  }
  return layout;
}

/** A level in dBFS as a velocity: its position in the layout's level range (outside [0, 1] beyond the range). */
export function velocityOfLevel(layout: ConditionLayout, dbfs: number): number {
  const v = layout.velocity;
  if (!v) throw new Error('velocityOfLevel: the model is not conditioned on velocity');
  return (dbfs - v.min_dbfs) / (v.max_dbfs - v.min_dbfs);
}

/** The level in dBFS a velocity stands for. */
export function levelOfVelocity(layout: ConditionLayout, velocity: number): number {
  const v = layout.velocity;
  if (!v) throw new Error('levelOfVelocity: the model is not conditioned on velocity');
  return v.min_dbfs + velocity * (v.max_dbfs - v.min_dbfs);
}

/** The dataset rows `indices` as consecutive condition vectors (class one-hot from the row's class, velocity from its level). */
export function conditionRows(layout: ConditionLayout, info: DatasetInfo, indices: ArrayLike<number>): Float32Array {
  const width = conditionWidth(layout);
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const file = info.files[indices[i]!]!;
    out.set(conditionVector(layout, { mix: file.class !== undefined ? { [file.class]: 1 } : undefined, velocity: layout.velocity ? velocityOfLevel(layout, file.attack_rms_dbfs!) : undefined }), i * width);
  }
  return out;
}

/** What a user asks a conditional model for; parts the model is not conditioned on must be left out. */
export interface ConditionRequest {
  /** Class weights (one class: {snare: 1}); normalised to sum 1. */
  mix?: Record<string, number>;
  /** 0…1 across the training set's level range (values outside extrapolate). */
  velocity?: number;
}

/**
 * A request as a condition vector. Unknown classes, weights that are negative or all zero, and parts the model does
 * not have are UserErrors naming what the model offers; a part the model has but the request leaves out takes its
 * default (the most common training class; velocity 0.5).
 */
export function conditionVector(layout: ConditionLayout, request: ConditionRequest): Float32Array {
  const out = new Float32Array(conditionWidth(layout));
  if (layout.classes) {
    const mix = request.mix ?? { [defaultClass(layout)]: 1 };
    let total = 0;
    for (const [name, weight] of Object.entries(mix)) {
      const index = layout.classes.indexOf(name);
      if (index < 0) throw new UserError(`class '${name}' is not one the model was trained on (${layout.classes.join(', ')})`);
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new UserError(`class weight ${name}=${weight} must be a number >= 0`);
      out[index] = weight;
      total += weight;
    }
    if (!(total > 0)) throw new UserError(`the class weights (${Object.entries(mix).map(([k, w]) => `${k}=${w}`).join(', ')}) are all 0`);
    for (let i = 0; i < layout.classes.length; i++) out[i]! /= total;
  } else if (request.mix) {
    throw new UserError('the model is not conditioned on class: leave out --class and --mix');
  }
  if (layout.velocity) {
    const v = request.velocity ?? 0.5;
    if (!Number.isFinite(v)) throw new UserError(`velocity must be a finite number, got ${v}`);
    out[out.length - 1] = v;
  } else if (request.velocity !== undefined) {
    throw new UserError('the model is not conditioned on velocity: leave out --velocity and --level');
  }
  return out;
}

/** The class a request without one gets: the training set's most common (the first listed on a tie). */
export function defaultClass(layout: ConditionLayout): string {
  if (!layout.classes) throw new Error('defaultClass: the model is not conditioned on class');
  const counts = layout.class_counts ?? layout.classes.map(() => 0);
  let best = 0;
  counts.forEach((n, i) => (n > counts[best]! ? (best = i) : undefined));
  return layout.classes[best]!;
}

/** One line for logs: "classes kick (40), snare (38); velocity over −31.2…−6.0 dBFS attack RMS". */
export function describeCondition(layout: ConditionLayout): string {
  const parts: string[] = [];
  if (layout.classes) parts.push(`classes ${layout.classes.map((c, i) => `${c} (${layout.class_counts?.[i] ?? '?'})`).join(', ')}`);
  if (layout.velocity) parts.push(`velocity 0…1 over ${layout.velocity.min_dbfs.toFixed(1)}…${layout.velocity.max_dbfs.toFixed(1)} dBFS attack RMS`);
  return `conditioned on ${parts.join('; ')}`;
}
