import * as path from 'path';
import { Dataset } from '../data';
import type { DatasetInfo } from '../data/format';
import { DRUM_CLASSES } from '../data/labels';
import { UserError } from '../errors';
import { conditionRows, conditionWidth } from '../models/condition';
import { meanAndCovariance, symmetricEigen } from '../eval/linalg';
import { scatterPng } from '../eval/plot';
import { Progress, silentProgress } from '../progress';
import { firstNonFinite } from '../eval/summary';
import { decayTime, spectralCentroid } from './features';
import { BoundsSpec, DEFAULT_BOUNDS, encodeRows, formatBounds, OpenedModel, percentileBox } from './model';

export type ColorFeature = 'centroid' | 'decay' | 'folder' | 'class' | 'none';
export const COLOR_FEATURES: readonly ColorFeature[] = ['centroid', 'decay', 'folder', 'class', 'none'];

/** A categorical legend as plotted: its title, and per entry the label shown, the category and its points. */
export interface MapLegend {
  title: string;
  entries: { label: string; category: string; count: number }[];
}

export interface LatentMap {
  png: Uint8Array;
  /** The latent point of every dataset row (before any projection). */
  points: number[][];
  projection: null | { method: 'pca'; explained: [number, number] };
  /** The legend of a categorical colouring (`class`), else null. */
  legend: MapLegend | null;
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

/**
 * Each row's drum class, or the reason the dataset has none to give: made before dataset format 2 (no `class`),
 * preprocessed with --labels none, or every row 'unknown' (no rule named any of them).
 */
export function datasetClasses(info: DatasetInfo, datasetPath: string): { classes: string[] } | { reason: string } {
  const missing = info.files.findIndex((f) => f.class === undefined);
  if (info.files.length === 0) return { reason: `dataset ${datasetPath} has no rows` };
  if (missing >= 0) {
    return { reason: `dataset ${datasetPath} has no drum classes (dataset format ${info.version}, row ${missing} ${info.files[missing]!.path} has none; classes came with format 2)` };
  }
  if (info.labels?.source === 'none' || info.files.every((f) => f.class === 'unknown')) {
    return { reason: `dataset ${datasetPath} has no drum classes: every row is 'unknown' (labels: ${info.labels?.source ?? 'none'})` };
  }
  return { classes: info.files.map((f) => f.class!) };
}

/** Classes in sampgen's order (DRUM_CLASSES: kick, snare, hats …), others after them by name. */
export function compareClasses(a: string, b: string): number {
  const known: readonly string[] = DRUM_CLASSES;
  const ia = known.includes(a) ? known.indexOf(a) : known.length;
  const ib = known.includes(b) ? known.indexOf(b) : known.length;
  return ia - ib || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The condition vectors of dataset rows `rows` for a conditional model (undefined for an unconditional one): each
 * row's own class and its level as a velocity, as the model was trained on them. A dataset that cannot say them
 * (no classes or levels), or rows of classes the model was not trained on, are UserErrors naming the dataset, the
 * rows and the way out.
 */
export function rowConditions(model: OpenedModel, dataset: Dataset, datasetPath: string, rows: ArrayLike<number>): Float32Array[] | undefined {
  const layout = model.meta.condition;
  if (!layout) return undefined;
  const files = Array.from(rows, (r) => dataset.info.files[r]!);
  const { name } = model.meta;
  if (layout.classes) {
    const classes = datasetClasses(dataset.info, datasetPath);
    if ('reason' in classes) {
      throw new UserError(
        `model ${name} is conditioned on drum class, so each row is encoded with its own, but ${classes.reason}: ` +
          'preprocess the sources again with --labels auto|folder|name|<file.csv>',
      );
    }
    const foreign = new Map<string, { count: number; first: string }>();
    for (const f of files) {
      if (layout.classes.includes(f.class!)) continue;
      const seen = foreign.get(f.class!) ?? { count: 0, first: f.path };
      seen.count++;
      foreign.set(f.class!, seen);
    }
    if (foreign.size > 0) {
      const listed = [...foreign].map(([c, { count, first }]) => `${c}: ${count} row${count === 1 ? '' : 's'}, e.g. ${first}`).join('; ');
      throw new UserError(
        `dataset ${datasetPath} has rows of classes model ${name} was not trained on (${listed}); it knows ${layout.classes.join(', ')}: ` +
          'evaluate or map it on a dataset of those classes',
      );
    }
  }
  if (layout.velocity) {
    const at = files.findIndex((f) => typeof f.attack_rms_dbfs !== 'number' || !Number.isFinite(f.attack_rms_dbfs));
    if (at >= 0) {
      throw new UserError(
        `model ${name} is conditioned on velocity, so each row is encoded with its own level, but row ${rows[at]} (${files[at]!.path}) of dataset ` +
          `${datasetPath} has no attack_rms_dbfs (made before dataset format 2): preprocess the sources again`,
      );
    }
  }
  const width = conditionWidth(layout);
  const flat = conditionRows(layout, dataset.info, rows);
  return files.map((_, i) => flat.slice(i * width, (i + 1) * width));
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
  // Before encoding anything: a dataset without classes cannot be coloured by them.
  let rowClasses: string[] | null = null;
  if (opts.color === 'class') {
    const found = datasetClasses(dataset.info, opts.datasetPath);
    if ('reason' in found) {
      throw new UserError(`--color class: ${found.reason}; preprocess the sources with --labels auto|folder|name|<file.csv>, or colour by another feature (--color folder)`);
    }
    rowClasses = found.classes;
  }
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
    const encoded = encodeRows(model, rows, false, rowConditions(model, dataset, opts.datasetPath, idx));
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
  let legend: MapLegend | null = null;
  if (rowClasses) {
    // Sorted by class (sampgen's order), points and classes together: the plot's legend lists categories in the
    // order they first appear, and the interleaved drawing order keeps any class from covering the others.
    const order = Array.from(rowClasses.keys()).sort((a, b) => compareClasses(rowClasses![a]!, rowClasses![b]!) || a - b);
    xy = order.map((i) => xy[i]!);
    rowClasses = order.map((i) => rowClasses![i]!);
    const counts = new Map<string, number>();
    for (const c of rowClasses) counts.set(c, (counts.get(c) ?? 0) + 1);
    legend = { title: 'Drum class', entries: [...counts].map(([category, count]) => ({ label: `${category} (${count})`, category, count })) };
  }
  const labelOf = new Map(legend?.entries.map((e) => [e.category, e.label]) ?? []);
  const colorOpts =
    rowClasses
      ? { categories: rowClasses.map((c) => labelOf.get(c)!), legendTitle: legend!.title }
      : opts.color === 'centroid'
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
  return { png, points, projection, legend, extent: { bounds: formatBounds(spec), x: xRange, y: yRange ?? null, outside } };
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
