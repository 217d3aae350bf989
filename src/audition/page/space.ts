import { meanAndCovariance, symmetricEigen } from '../../eval/linalg';
import type { Rng } from '../../util/rng';

/**
 * The part of a latent space the page lets a user move through: an origin and a few orthonormal directions, each
 * with the range its slider (and, for the first two, the pad) covers. Pure functions of the model's metadata, so
 * they are tested in Node like the rest of sampgen.
 *
 * - Latents of 1 or 2 dimensions: the axes themselves, over the training set's latent bounds (the study's XY pad).
 * - Larger latents with the training set's latent points: principal directions of those points (PCA), so that a
 *   few sliders reach the directions in which the training set actually varies.
 * - Larger latents without points: the first few axes, over their bounds.
 *
 * Moving along one direction changes only that coordinate of the point (the directions are orthonormal), so the
 * pad and the sliders can edit one point together without disturbing the other dimensions.
 */

/** The metadata fields this needs (a subset of sampgen.json). */
export interface SpaceMeta {
  latent: number;
  latent_bounds: { min: number[]; max: number[] };
  latent_points?: number[][];
  latent_prior: 'uniform' | 'normal' | null;
}

export interface Direction {
  /** 'z0' for an axis, 'PC1' for a principal direction. */
  label: string;
  /** Unit vector in latent space. */
  vector: Float64Array;
  /** The range of the coordinate along it that the controls cover. */
  min: number;
  max: number;
  /** Fraction of the training points' variance along it (PCA only). */
  explained?: number;
}

export interface LatentSpace {
  kind: 'axes' | 'pca';
  latent: number;
  /** Coordinates are measured from here: 0 for axes, the points' mean for PCA. */
  origin: Float64Array;
  directions: Direction[];
}

/** Sliders shown at first: enough to steer, few enough to read (the page shows the rest on request). */
export const MAX_DIRECTIONS = 4;

/** 'auto': principal directions where the export has training points (and more than 2 dimensions), else the axes; 'axes': always the axes. */
export type SpaceMode = 'auto' | 'axes';
/** Margin added on each side of a range, as a fraction of its width, so that extreme points are not on the edge. */
export const RANGE_MARGIN = 0.05;

function widen(min: number, max: number): [number, number] {
  const w = max - min;
  if (!(w > 0)) return [min - 1, max + 1]; // a dimension the training set never moved along still gets a usable range
  return [min - RANGE_MARGIN * w, max + RANGE_MARGIN * w];
}

function axis(latent: number, i: number): Float64Array {
  const v = new Float64Array(latent);
  v[i] = 1;
  return v;
}

/** Principal directions of `points`, by decreasing variance: unit vectors, their variances and the mean. */
export function principalDirections(points: readonly number[][], count: number): { mean: Float64Array; vectors: Float64Array[]; variances: number[]; total: number } {
  const { mean, cov, dim } = meanAndCovariance(points);
  const { values, vectors } = symmetricEigen(cov, dim);
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  const total = Array.from(values).reduce((s, v) => s + Math.max(v, 0), 0);
  const picked = order.slice(0, Math.min(count, dim));
  return {
    mean,
    total,
    variances: picked.map((j) => Math.max(values[j]!, 0)),
    // Column j of the row-major eigenvector matrix; its sign is arbitrary, so fix it (largest entry positive)
    // to keep slider directions stable across reloads.
    vectors: picked.map((j) => {
      const v = Float64Array.from({ length: dim }, (_, i) => vectors[i * dim + j]!);
      let big = 0;
      for (let i = 0; i < dim; i++) if (Math.abs(v[i]!) > Math.abs(v[big]!)) big = i;
      if (v[big]! < 0) for (let i = 0; i < dim; i++) v[i] = -v[i]!;
      return v;
    }),
  };
}

/** Whether `buildSpace(meta, …, 'auto')` gives principal directions (so that the raw axes are a real alternative). */
export function hasPrincipalDirections(meta: SpaceMeta): boolean {
  return meta.latent > 2 && (meta.latent_points?.length ?? 0) >= 2;
}

/**
 * The space's directions: up to `maxDirections` of them (the page asks for all `latent`, so that every dimension is
 * reachable from a slider).
 */
export function buildSpace(meta: SpaceMeta, maxDirections = MAX_DIRECTIONS, mode: SpaceMode = 'auto'): LatentSpace {
  const { latent } = meta;
  const { min, max } = meta.latent_bounds;
  const points = meta.latent_points ?? [];
  if (mode === 'auto' && hasPrincipalDirections(meta)) {
    const pca = principalDirections(points, maxDirections);
    const directions = pca.vectors.map((vector, k): Direction => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const p of points) {
        const c = dot(vector, p, pca.mean);
        lo = Math.min(lo, c);
        hi = Math.max(hi, c);
      }
      const [a, b] = widen(lo, hi);
      return { label: `PC${k + 1}`, vector, min: a, max: b, explained: pca.total > 0 ? pca.variances[k]! / pca.total : 0 };
    });
    return { kind: 'pca', latent, origin: pca.mean, directions };
  }
  const directions = Array.from({ length: Math.min(latent, maxDirections) }, (_, i): Direction => {
    const [a, b] = latent <= 2 ? [min[i]!, max[i]!] : widen(min[i]!, max[i]!);
    // 2-D pads span the bounds exactly (as the issue asks), except a degenerate dimension, which gets ±1.
    const [lo, hi] = b > a ? [a, b] : widen(a, b);
    return { label: `z${i}`, vector: axis(latent, i), min: lo, max: hi };
  });
  return { kind: 'axes', latent, origin: new Float64Array(latent), directions };
}

/** (p − origin)·v */
function dot(v: Float64Array, p: ArrayLike<number>, origin: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * (p[i]! - origin[i]!);
  return s;
}

/** The point's coordinate along each direction. */
export function coordinates(space: LatentSpace, point: readonly number[]): number[] {
  return space.directions.map((d) => dot(d.vector, point, space.origin));
}

/** The point moved so that its coordinate along direction k is `value`; other directions keep theirs. */
export function withCoordinate(space: LatentSpace, point: readonly number[], k: number, value: number): number[] {
  const d = space.directions[k];
  if (!d) throw new RangeError(`no direction ${k} (the space has ${space.directions.length})`);
  const delta = value - dot(d.vector, point, space.origin);
  return point.map((x, i) => x + delta * d.vector[i]!);
}

/** Where the page starts: the middle of the bounds (axes) or the training points' mean (PCA). */
export function startPoint(space: LatentSpace, meta: SpaceMeta): number[] {
  if (space.kind === 'pca') return Array.from(space.origin);
  return meta.latent_bounds.min.map((lo, i) => (lo + meta.latent_bounds.max[i]!) / 2);
}

/**
 * Moves the point by (dx, dy) steps along the first two directions, one step being `fraction` of each range
 * (the arrow keys), staying inside the ranges.
 */
export function nudge(space: LatentSpace, point: readonly number[], dx: number, dy: number, fraction: number): number[] {
  let p = [...point];
  const steps = [dx, dy];
  space.directions.slice(0, 2).forEach((d, k) => {
    if (steps[k] === 0) return;
    const c = dot(d.vector, p, space.origin) + steps[k]! * fraction * (d.max - d.min);
    p = withCoordinate(space, p, k, Math.min(d.max, Math.max(d.min, c)));
  });
  return p;
}

/**
 * A random latent point, drawn as `sampgen generate --random` draws them (src/infer/model.ts randomPoints, which
 * the page cannot import: that module reads model folders with Node's fs): the prior for GANs (uniform in [−1, 1])
 * and VAEs (normal), else uniform in the training set's latent bounds.
 */
export function randomPoint(meta: SpaceMeta, rng: Rng): number[] {
  const { min, max } = meta.latent_bounds;
  return Array.from({ length: meta.latent }, (_, i) => {
    if (meta.latent_prior === 'normal') return rng.normal();
    if (meta.latent_prior === 'uniform') return rng.uniform(-1, 1);
    return rng.uniform(min[i]!, max[i]!);
  });
}
