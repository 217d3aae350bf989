import * as path from 'path';
import { Dataset } from '../data';
import { UserError } from '../errors';
import { meanAndCovariance, symmetricEigen } from '../eval/linalg';
import { scatterPng } from '../eval/plot';
import { Progress, silentProgress } from '../progress';
import { decayTime, spectralCentroid } from './features';
import { encodeRows, OpenedModel } from './model';

export type ColorFeature = 'centroid' | 'decay' | 'folder' | 'none';
export const COLOR_FEATURES: readonly ColorFeature[] = ['centroid', 'decay', 'folder', 'none'];

export interface LatentMap {
  png: Uint8Array;
  /** The latent point of every dataset row (before any projection). */
  points: number[][];
  projection: null | { method: 'pca'; explained: [number, number] };
}

/** A dataset must match the model it is fed to: same sample rate and sample length. */
export function checkDatasetMatchesModel(dataset: Dataset, datasetPath: string, model: OpenedModel): void {
  const { meta } = model;
  if (dataset.sampleRate !== meta.sample_rate || dataset.length !== meta.length) {
    throw new UserError(
      `dataset ${datasetPath} (${dataset.length} samples at ${dataset.sampleRate} Hz) does not match model ${meta.name} ` +
        `(${meta.length} samples at ${meta.sample_rate} Hz)`,
    );
  }
}

/** `sampgen latent-map`: every dataset sample as a point of the model's latent space (the study's figures). */
export function latentMap(opts: { model: OpenedModel; dataset: Dataset; datasetPath: string; color: ColorFeature; progress?: Progress; batchSize?: number }): LatentMap {
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
    points.push(...encodeRows(model, rows));
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
  const png = scatterPng(xy, {
    title: `${meta.name}: latent space`,
    subtitle,
    xLabel,
    yLabel,
    ...colorOpts,
    ...(meta.latent === 2 ? { xRange: range(xy, 0), yRange: range(xy, 1) } : {}),
  });
  return { png, points, projection };
}

function range(xy: number[][], d: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of xy) {
    lo = Math.min(lo, p[d]!);
    hi = Math.max(hi, p[d]!);
  }
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
