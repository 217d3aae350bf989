import * as path from 'path';
import { Dataset } from '../data';
import { UserError } from '../errors';
import { meanAndCovariance, symmetricEigen } from '../eval/linalg';
import { scatterPng } from '../eval/plot';
import { Progress, silentProgress } from '../progress';
import { firstNonFinite } from '../eval/summary';
import { decayTime, spectralCentroid } from './features';
import { BoundsSpec, DEFAULT_BOUNDS, encodeRows, formatBounds, OpenedModel, percentileBox } from './model';

export type ColorFeature = 'centroid' | 'decay' | 'folder' | 'none';
export const COLOR_FEATURES: readonly ColorFeature[] = ['centroid', 'decay', 'folder', 'none'];

export interface LatentMap {
  png: Uint8Array;
  /** The latent point of every dataset row (before any projection). */
  points: number[][];
  projection: null | { method: 'pca'; explained: [number, number] };
  /** The plotted extent: the spec, the box in plot coordinates, and how many points lie outside it. */
  extent: { bounds: string; x: [number, number]; y: [number, number] | null; outside: number };
}

/**
 * A dataset must match the model it is fed to: same sample rate and sample length, and the peak at the same
 * index (an encoder fed rows aligned elsewhere maps them wrongly, and the onset metrics look in the wrong place).
 */
export function checkDatasetMatchesModel(dataset: Dataset, datasetPath: string, model: OpenedModel): void {
  const { meta } = model;
  if (dataset.sampleRate !== meta.sample_rate || dataset.length !== meta.length) {
    throw new UserError(
      `dataset ${datasetPath} (${dataset.length} samples at ${dataset.sampleRate} Hz) does not match model ${meta.name} ` +
        `(${meta.length} samples at ${meta.sample_rate} Hz)`,
    );
  }
  if (dataset.info.attack !== meta.preprocess.attack) {
    throw new UserError(
      `dataset ${datasetPath} puts the attack at sample ${dataset.info.attack}, model ${meta.name} at sample ${meta.preprocess.attack}: ` +
        `preprocess the files again with --attack ${meta.preprocess.attack}s`,
    );
  }
}

/** Refuses a dataset row holding NaN or ±Infinity, naming the dataset, the row and its source file. */
export function checkFiniteRow(row: ArrayLike<number>, index: number, dataset: Dataset, datasetPath: string): void {
  const bad = firstNonFinite(row);
  if (bad < 0) return;
  const source = dataset.info.files[index]?.path;
  throw new UserError(
    `dataset ${datasetPath}: row ${index}${source ? ` (${source})` : ''} holds ${row[bad]} at sample ${bad}; ` +
      'metrics and encoders need finite audio (preprocess the source again, or remove it)',
  );
}

/** Refuses latent points or decodes with NaN or ±Infinity from a model, naming its folder. */
export function checkFiniteOutput(values: readonly ArrayLike<number>[], model: OpenedModel, what: string, rowName?: (i: number) => string): void {
  const bad = values.map((v) => firstNonFinite(v) >= 0);
  const count = bad.filter(Boolean).length;
  if (count === 0) return;
  const first = bad.indexOf(true);
  throw new UserError(
    `model ${model.dir}: its ${what} are not finite (NaN or Infinity) for ${count} of ${values.length}` +
      `${rowName ? `, first ${rowName(first)}` : ''}; its weights are probably broken (a diverged training run?)`,
  );
}

/** `sampgen latent-map`: every dataset sample as a point of the model's latent space (the study's figures). */
export function latentMap(opts: {
  model: OpenedModel;
  dataset: Dataset;
  datasetPath: string;
  color: ColorFeature;
  /** The plotted extent: percentiles of the plotted points per axis (default p1-99), or their min–max. */
  bounds?: BoundsSpec;
  progress?: Progress;
  batchSize?: number;
}): LatentMap {
  const { model, dataset } = opts;
  checkDatasetMatchesModel(dataset, opts.datasetPath, model);
  if (!model.encoder) throw new UserError(`model ${model.meta.name} (${model.meta.model_type}) has no encoder, so its latent space cannot be mapped`);
  const progress = opts.progress ?? silentProgress;
  const batch = opts.batchSize ?? 128;
  const points: number[][] = [];
  const colors: number[] = [];
  progress.start(dataset.count, 'encoding');
  for (let start = 0; start < dataset.count; start += batch) {
    const idx = Int32Array.from({ length: Math.min(batch, dataset.count - start) }, (_, i) => start + i);
    const flat = dataset.readRows(idx);
    const rows = Array.from(idx, (_, i) => flat.subarray(i * dataset.length, (i + 1) * dataset.length));
    rows.forEach((r, i) => checkFiniteRow(r, start + i, dataset, opts.datasetPath));
    const encoded = encodeRows(model, rows, false);
    checkFiniteOutput(encoded, model, 'encoder outputs (latent points)', (i) => `row ${start + i} (${dataset.info.files[start + i]?.path ?? '?'})`);
    points.push(...encoded);
    if (opts.color === 'centroid') rows.forEach((r) => colors.push(spectralCentroid(r, dataset.sampleRate)));
    if (opts.color === 'decay') rows.forEach((r) => colors.push(decayTime(r, dataset.sampleRate)));
    progress.increment(idx.length);
  }
  progress.stop();
  const { meta } = model;
  let xy: number[][];
  let projection: LatentMap['projection'] = null;
  let xLabel = 'z₁';
  let yLabel = 'z₂';
  let subtitle = `${points.length} samples of ${opts.datasetPath}`;
  if (meta.latent === 1) {
    xy = points.map((p) => [p[0]!, 0]);
    yLabel = '(1-D latent)';
  } else if (meta.latent === 2) {
    xy = points;
  } else {
    const pca = pca2(points);
    xy = pca.projected;
    projection = { method: 'pca', explained: pca.explained };
    xLabel = 'PC 1';
    yLabel = 'PC 2';
    subtitle = `PCA projection of the ${meta.latent}-D latent space (explained variance ${pct(pca.explained[0])}, ${pct(pca.explained[1])}); ${subtitle}`;
  }
  const colorOpts =
    opts.color === 'centroid'
      ? { colors, colorLabel: 'Spectral centroid (Hz)' }
      : opts.color === 'decay'
        ? { colors, colorLabel: 'Decay time to −40 dB (s)' }
        : opts.color === 'folder'
          ? { categories: dataset.info.files.map((f) => path.posix.dirname(f.path) || '.'), legendTitle: 'Source folder' }
          : {};
  const spec = opts.bounds ?? DEFAULT_BOUNDS;
  const box = spec.kind === 'minmax' ? percentileBox(xy, 0, 100) : percentileBox(xy, spec.low, spec.high);
  const twoAxes = meta.latent > 1;
  const outside = xy.filter((p) => p[0]! < box.min[0]! || p[0]! > box.max[0]! || (twoAxes && (p[1]! < box.min[1]! || p[1]! > box.max[1]!))).length;
  if (spec.kind === 'percentile') {
    subtitle += `; axes span the ${spec.low}–${spec.high}th percentiles, ${outside} point(s) outside`;
  }
  const xRange = padded(box.min[0]!, box.max[0]!);
  const yRange = twoAxes ? padded(box.min[1]!, box.max[1]!) : undefined;
  const png = scatterPng(xy, {
    title: `${meta.name}: latent space`,
    subtitle,
    xLabel,
    yLabel,
    ...colorOpts,
    xRange,
    ...(yRange ? { yRange } : {}),
  });
  return { png, points, projection, extent: { bounds: formatBounds(spec), x: xRange, y: yRange ?? null, outside } };
}

/** A range widened by 5% on each side (so edge points are not cut in half), or ±0.5 around a single value. */
function padded(lo: number, hi: number): [number, number] {
  const pad = (hi - lo) * 0.05 || 0.5;
  return [lo - pad, hi + pad];
}

/** Projection onto the two principal directions, with the fraction of variance each explains. */
export function pca2(points: number[][]): { projected: number[][]; explained: [number, number] } {
  const dim = points[0]!.length;
  const { mean, cov } = meanAndCovariance(points);
  const { values, vectors } = symmetricEigen(cov, dim);
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  const total = Array.from(values).reduce((s, v) => s + Math.max(0, v), 0) || 1;
  // vectors is row-major with eigenvectors as columns
  const axis = (k: number) => Array.from({ length: dim }, (_, i) => vectors[i * dim + order[k]!]!);
  const a0 = axis(0);
  const a1 = axis(1);
  const projected = points.map((p) => {
    let x = 0;
    let y = 0;
    for (let i = 0; i < dim; i++) {
      const c = p[i]! - mean[i]!;
      x += c * a0[i]!;
      y += c * a1[i]!;
    }
    return [x, y];
  });
  return { projected, explained: [Math.max(0, values[order[0]!]!) / total, Math.max(0, values[order[1]!]!) / total] };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}
