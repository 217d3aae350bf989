import * as tf from '@tensorflow/tfjs';
import '../util/quiet-tfjs'; // no TF.js notices (the cpu backend's tfjs-node advert) in sampgen's output
import { loadModelPart, readModelMetadata, ModelMetadata } from '../export';
import { UserError } from '../errors';
import { quantileSorted } from '../eval/bootstrap';
import { Rng } from '../util/rng';
import { conditionWidth } from '../models/condition';

/** An exported model folder, opened for use: its metadata and the parts loaded so far. */
export interface OpenedModel {
  dir: string;
  meta: ModelMetadata;
  /** The decoder (autoencoders, VAEs) or generator (GAN): latent → sample. */
  decoder: tf.LayersModel;
  /** The encoder (sample → latent point), for models that have one. */
  encoder?: tf.LayersModel;
}

/** Which folder holds the latent → sample network. */
export function generatorPart(meta: ModelMetadata): string {
  if (meta.parts.includes('decoder')) return 'decoder';
  if (meta.parts.includes('generator')) return 'generator';
  throw new UserError(`model ${meta.name} has neither a decoder nor a generator (parts: ${meta.parts.join(', ')})`);
}

export async function openModel(dir: string, opts: { encoder?: boolean } = {}): Promise<OpenedModel> {
  const meta = readModelMetadata(dir);
  const decoder = await loadModelPart(dir, generatorPart(meta));
  let encoder: tf.LayersModel | undefined;
  if (opts.encoder) {
    if (!meta.parts.includes('encoder')) {
      throw new UserError(`model ${dir} (${meta.model_type}) has no encoder: it cannot map samples to latent points`);
    }
    encoder = await loadModelPart(dir, 'encoder');
  }
  return { dir, meta, decoder, encoder };
}

export function disposeModel(model: OpenedModel): void {
  model.decoder.dispose();
  model.encoder?.dispose();
}

/**
 * The network inputs for `rows` (a [n, width] tensor), with their condition vectors for a conditional model. A
 * conditional model without conditions, or an unconditional one with them, is a programming error of the caller.
 */
function withConditions(model: OpenedModel, rows: tf.Tensor2D, conditions: readonly Float32Array[] | undefined): tf.Tensor2D | tf.Tensor2D[] {
  const layout = model.meta.condition;
  if (!layout) {
    if (conditions) throw new Error(`model ${model.meta.name} is not conditional, but conditions were given`);
    return rows;
  }
  const n = rows.shape[0];
  if (!conditions || conditions.length !== n) {
    throw new Error(`model ${model.meta.name} is conditional: each of the ${n} inputs needs a condition vector, got ${conditions?.length ?? 'none'}`);
  }
  const width = conditionWidth(layout);
  const flat = new Float32Array(n * width);
  conditions.forEach((c, i) => {
    if (c.length !== width) throw new Error(`condition vector ${i} has ${c.length} values, model ${model.meta.name} takes ${width}`);
    flat.set(c, i * width);
  });
  return [rows, tf.tensor2d(flat, [n, width])];
}

/**
 * Latent points → samples, in batches so that a large grid does not hold every activation at once. A conditional
 * model needs one condition vector per point (src/models/condition.ts conditionVector).
 */
export function decodePoints(model: OpenedModel, points: number[][], batchSize = 64, conditions?: readonly Float32Array[]): Float32Array[] {
  const out: Float32Array[] = [];
  const { length, latent } = model.meta;
  for (let start = 0; start < points.length; start += batchSize) {
    const chunk = points.slice(start, start + batchSize);
    const y = tf.tidy(() => {
      const z = tf.tensor2d(chunk.flat(), [chunk.length, latent]);
      return (model.decoder.predict(withConditions(model, z, conditions?.slice(start, start + batchSize))) as tf.Tensor).reshape([chunk.length, -1]);
    });
    const data = y.dataSync() as Float32Array;
    y.dispose();
    const width = data.length / chunk.length;
    if (width !== length) throw new Error(`the model's network produced ${width} samples, sampgen.json says length ${length}`);
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw nonFinite(model, 'decoder', `point (${chunk[Math.floor(bad / width)]!.join(', ')})`);
    for (let i = 0; i < chunk.length; i++) out.push(data.slice(i * width, (i + 1) * width));
  }
  return out;
}

/**
 * Samples (already preprocessed to the model's length) → latent points (a conditional model: with each row's
 * condition vector). Non-finite points are an error naming the
 * model, unless `checked` is false because the caller reports them itself with more detail (latent-map, evaluate).
 */
export function encodeRows(model: OpenedModel, rows: Float32Array[], checked = true, conditions?: readonly Float32Array[]): number[][] {
  if (!model.encoder) throw new Error('encodeRows needs a model opened with { encoder: true }');
  const { length } = model.meta;
  const flat = new Float32Array(rows.length * length);
  rows.forEach((r, i) => flat.set(r, i * length));
  const z = tf.tidy(() => model.encoder!.predict(withConditions(model, tf.tensor2d(flat, [rows.length, length]), conditions)) as tf.Tensor);
  const points = z.arraySync() as number[][];
  z.dispose();
  const bad = checked ? points.findIndex((p) => p.some((v) => !Number.isFinite(v))) : -1;
  if (bad >= 0) throw nonFinite(model, 'encoder', `input ${bad + 1} of ${points.length}`);
  return points;
}

/**
 * NaN or ±Inf out of a network: never a result to print or write (encode printed "NaN,NaN" with exit 0). The usual
 * cause is damaged weights in a folder exported before sampgen recorded checksums; a point far outside the latent
 * space can also overflow a decoder.
 */
function nonFinite(model: OpenedModel, part: string, where: string): UserError {
  const unverified = model.meta.files_sha256 ? '' : ' (this folder was exported before sampgen recorded checksums, so damaged weights could not be detected on load)';
  return new UserError(`model ${model.dir}: its ${part} produced NaN or infinite values for ${where}${unverified}; export the model again from its run`);
}

/** The min–max box of the training set's latent points (or the prior's box for GANs): sampgen.json's latent_bounds. */
export function latentBox(meta: ModelMetadata): { min: number[]; max: number[] } {
  return meta.latent_bounds;
}

/**
 * Which box grids and uniform sampling cover: the min–max latent bounds, or per-dimension percentiles of the
 * training set's latent points (one outlier stretches a min–max box; the 1st–99th percentiles ignore the
 * outermost 1% on each side of each dimension).
 */
export type BoundsSpec = { kind: 'minmax' } | { kind: 'percentile'; low: number; high: number };

/** The default of `--bounds`: the 1st–99th percentiles (docs/metrics.md says why). */
export const DEFAULT_BOUNDS: BoundsSpec = { kind: 'percentile', low: 1, high: 99 };
export const BOUNDS_SYNTAX = 'minmax, or pLOW-HIGH for per-dimension percentiles of the training latents (e.g. p1-99, p5-95)';

/** "minmax" | "pLOW-HIGH" (0 ≤ LOW < HIGH ≤ 100; decimals allowed) → a BoundsSpec. */
export function parseBounds(text: string, what = '--bounds'): BoundsSpec {
  const t = text.trim().toLowerCase();
  if (t === 'minmax' || t === 'min-max') return { kind: 'minmax' };
  const m = /^p(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(t);
  const low = m ? Number(m[1]) : NaN;
  const high = m ? Number(m[2]) : NaN;
  if (!m || !(low >= 0 && low < high && high <= 100)) {
    throw new UserError(`${what} ${JSON.stringify(text)}: expected ${BOUNDS_SYNTAX}, with 0 <= LOW < HIGH <= 100`);
  }
  return { kind: 'percentile', low, high };
}

/** The spec as `--bounds` spells it. */
export function formatBounds(spec: BoundsSpec): string {
  return spec.kind === 'minmax' ? 'minmax' : `p${spec.low}-${spec.high}`;
}

/** A box over the latent space and where it came from (what a summary or a plot says about it). */
export interface LatentBoxInfo {
  min: number[];
  max: number[];
  /** What was asked for, and what the box is: a percentile request falls back to minmax without points. */
  requested: string;
  bounds: string;
  /** The points the percentiles came from, or null for sampgen.json's latent_bounds. */
  points: number | null;
  /** Why a percentile request fell back to the min–max bounds; null when it did not. */
  fallback: string | null;
}

/**
 * Per-dimension percentiles of a point set: min[i] = the `low` percentile of the points' i-th coordinates,
 * max[i] = the `high` one, each by linear interpolation between order statistics (numpy's default).
 */
export function percentileBox(points: readonly ArrayLike<number>[], low: number, high: number): { min: number[]; max: number[] } {
  if (points.length === 0) throw new RangeError('percentileBox: no points');
  const dim = points[0]!.length;
  const min: number[] = [];
  const max: number[] = [];
  for (let i = 0; i < dim; i++) {
    const values = Float64Array.from(points, (p) => p[i]!).sort();
    min.push(quantileSorted(values, low / 100));
    max.push(quantileSorted(values, high / 100));
  }
  return { min, max };
}

/**
 * The box for `spec`: percentiles of sampgen.json's latent_points (up to 10,000 training points), or its
 * min–max latent_bounds — also when a percentile box was asked for but the model keeps no points (GANs, which
 * have no encoder and whose bounds are the prior's box, and datasets above 10,000 rows); `fallback` says so.
 */
export function latentBoxFor(meta: ModelMetadata, spec: BoundsSpec = DEFAULT_BOUNDS): LatentBoxInfo {
  const requested = formatBounds(spec);
  const minmax = { ...meta.latent_bounds, requested, bounds: 'minmax', points: null };
  if (spec.kind === 'minmax') return { ...minmax, fallback: null };
  const points = meta.latent_points ?? [];
  if (points.length === 0) {
    const why = meta.latent_prior
      ? `model ${meta.name} (${meta.model_type}) keeps no training latent points, so --bounds ${requested} falls back to its min–max latent bounds (the prior's box)`
      : `model ${meta.name} keeps no training latent points in sampgen.json (more than 10,000 training rows?), so --bounds ${requested} falls back to its min–max latent bounds`;
    return { ...minmax, fallback: why };
  }
  return { ...percentileBox(points, spec.low, spec.high), requested, bounds: requested, points: points.length, fallback: null };
}

/** The most latent points one `generate` or `evaluate` call decodes (--grid, --random, --generated). */
export const MAX_POINTS = 10000;

/**
 * Parses "0.3,-0.5" into a point of the model's latent size. Wrong length is an error; a coordinate outside the
 * latent bounds is reported through `warn`, and moved inside only with `clamp`.
 */
export function parsePoint(text: string, meta: ModelMetadata, opts: { clamp?: boolean; warn?: (m: string) => void; what?: string } = {}): number[] {
  const what = opts.what ?? '--z';
  const values = text.split(',').map((s) => s.trim());
  const point = values.map(Number);
  if (values.some((v) => v === '') || point.some((v) => !Number.isFinite(v))) {
    throw new UserError(`${what} ${JSON.stringify(text)}: expected ${meta.latent} comma-separated numbers`);
  }
  if (point.length !== meta.latent) {
    throw new UserError(`${what} ${JSON.stringify(text)} has ${point.length} coordinate(s), but model ${meta.name} has a ${meta.latent}-D latent space`);
  }
  return checkBounds(point, meta, opts);
}

export function checkBounds(point: number[], meta: ModelMetadata, opts: { clamp?: boolean; warn?: (m: string) => void } = {}): number[] {
  const { min, max } = latentBox(meta);
  const outside = point.map((v, i) => v < min[i]! || v > max[i]!);
  if (!outside.some(Boolean)) return point;
  const desc = point.map((v, i) => (outside[i] ? `z${i}=${v} (bounds ${fmt(min[i]!)}..${fmt(max[i]!)})` : '')).filter(Boolean).join(', ');
  if (opts.clamp) {
    opts.warn?.(`point outside the training set's latent bounds, clamped: ${desc}`);
    return point.map((v, i) => Math.min(max[i]!, Math.max(min[i]!, v)));
  }
  opts.warn?.(`point outside the training set's latent bounds: ${desc} (decoding anyway; --clamp moves it inside)`);
  return point;
}

/**
 * A rows × cols grid over the first two latent dimensions of a box (default: the min–max bounds), row-major,
 * top row at the largest z1 so that the contact sheet reads like a plot. Further dimensions sit at the middle
 * of the box.
 */
export function gridPoints(
  meta: ModelMetadata,
  rows: number,
  cols: number,
  box: { min: number[]; max: number[] } = latentBox(meta),
): { point: number[]; row: number; col: number }[] {
  const { min, max } = box;
  const mid = min.map((lo, i) => (lo + max[i]!) / 2);
  const at = (lo: number, hi: number, k: number, n: number) => (n === 1 ? (lo + hi) / 2 : lo + ((hi - lo) * k) / (n - 1));
  const out: { point: number[]; row: number; col: number }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = [...mid];
      p[0] = at(min[0]!, max[0]!, c, cols);
      if (meta.latent > 1) p[1] = at(min[1]!, max[1]!, rows - 1 - r, rows);
      out.push({ point: p, row: r, col: c });
    }
  }
  return out;
}

/**
 * Random latent points: the model's prior for GANs (uniform in [−1, 1]) and VAEs (normal), else uniform in a box
 * (default: the min–max bounds).
 */
export function randomPoints(meta: ModelMetadata, count: number, rng: Rng, box: { min: number[]; max: number[] } = latentBox(meta)): number[][] {
  const { min, max } = box;
  return Array.from({ length: count }, () =>
    Array.from({ length: meta.latent }, (_, i) => {
      if (meta.latent_prior === 'normal') return rng.normal();
      if (meta.latent_prior === 'uniform') return rng.uniform(-1, 1);
      return rng.uniform(min[i]!, max[i]!);
    }),
  );
}

/** Evenly spaced points on the straight line from a to b, both ends included. */
export function linePoints(a: number[], b: number[], steps: number): number[][] {
  if (!Number.isInteger(steps) || steps < 2) throw new UserError(`--steps must be an integer ≥ 2, got ${steps}`);
  return Array.from({ length: steps }, (_, k) => a.map((v, i) => v + ((b[i]! - v) * k) / (steps - 1)));
}

/** "8x8" → [8, 8]. */
export function parseGrid(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/i.exec(text.trim());
  const rows = m ? Number(m[1]) : NaN;
  const cols = m ? Number(m[2]) : NaN;
  if (!m || rows < 1 || cols < 1 || rows * cols > MAX_POINTS) {
    throw new UserError(`--grid ${JSON.stringify(text)}: expected ROWSxCOLS such as 8x8 (at most ${MAX_POINTS} points)`);
  }
  return [rows, cols];
}

/** Peak normalisation (optional in `generate`): scales so that max |x| = peak; silence stays silence. */
export function normalizePeak(x: Float32Array, peak = 1): Float32Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  if (m === 0) return x;
  const g = peak / m;
  return x.map((v) => v * g);
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}
