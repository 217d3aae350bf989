import * as path from 'path';
import { Dataset, readDatasetInfo, trainingSplit, datasetFingerprint } from '../data';
import { UserError } from '../errors';
import {
  BOOTSTRAP_LEVEL,
  BOOTSTRAP_RESAMPLES,
  evaluateGeneration,
  evaluateReconstruction,
  formatMetricValue,
  Interval,
  latentSmoothness,
  MetricCount,
  realReference,
  Scored,
} from '../eval';
import { Progress, silentProgress } from '../progress';
import { Rng } from '../util/rng';
import { checkDatasetMatchesModel, checkFiniteOutput, checkFiniteRow } from './latent-map';
import { BoundsSpec, decodePoints, DEFAULT_BOUNDS, encodeRows, gridPoints, latentBoxFor, LatentBoxInfo, MAX_POINTS, OpenedModel, randomPoints } from './model';

/**
 * Which real rows a model is measured on: the training run's validation split (rows it never trained on), its
 * training split, all rows of its dataset, or a separate held-out dataset used whole.
 */
export type EvalSplit = 'validation' | 'train' | 'all' | 'held-out';
/** The splits of the model's own dataset (`--split`); a held-out dataset has no split. */
export const EVAL_SPLITS: readonly EvalSplit[] = ['validation', 'train', 'all'];

/** `--split val|validation|train|all` → the split's name. */
export function parseSplit(text: string): EvalSplit {
  const t = text.trim().toLowerCase();
  if (t === 'val' || t === 'validation') return 'validation';
  if (t === 'train' || t === 'all') return t;
  throw new UserError(`--split ${JSON.stringify(text)}: expected val (the training run's validation split), train or all`);
}

/**
 * metrics.json's format. 2: every metric with the samples it rests on and bootstrap intervals, Fréchet features from
 * the attack on, click_onset_db around the attack, grids in percentile bounds; version-1 numbers of those metrics mean
 * other things, so `report` refuses to put them beside version-2 ones.
 */
export const METRICS_FORMAT_VERSION = 2;

/** One model's entry in metrics.json (the format `sampgen report` reads: it uses name … metrics). */
export interface ModelEvaluation {
  name: string;
  model_type: string;
  config_hash: string;
  run: string | null;
  dataset: string;
  split: EvalSplit;
  /** Real rows evaluated (after --max-samples). */
  count: number;
  /** Rows of the split before --max-samples, and of the whole dataset. */
  split_rows: number;
  dataset_rows: number;
  metrics: Record<string, number>;
  /** Per metric key: how many real and how many generated (reconstructed, decoded) samples it rests on. */
  counts: Record<string, MetricCount>;
  /** Per set-level metric key: a bootstrap interval (see `bootstrap`). */
  intervals: Record<string, Interval>;
  bootstrap: { resamples: number; level: number; method: string };
  /** The box of the smoothness grid and of uniform random points (models without a prior). */
  bounds: LatentBoxInfo;
  /** "<key>: <why this number rests on too few samples>", one line each. */
  warnings: string[];
}

export interface MetricsFile {
  version: number;
  models: ModelEvaluation[];
}

export interface EvaluateOptions {
  model: OpenedModel;
  dataset: Dataset;
  datasetPath: string;
  /** 'held-out': `dataset` is not the model's training dataset and is used whole. */
  split: EvalSplit;
  /** At most this many real rows (a seeded subset), to keep evaluation time bounded. */
  maxSamples: number;
  /** Generated samples for the generation metrics. */
  generated: number;
  /** Grid side for latent smoothness (2-D models). */
  grid: number;
  seed: number;
  /** Box of the smoothness grid and of uniform random points (default p1-99). */
  bounds?: BoundsSpec;
  /** Bootstrap resamples of the intervals (default BOOTSTRAP_RESAMPLES; 0: none). */
  resamples?: number;
  info?: (message: string) => void;
  warn?: (message: string) => void;
  progress?: Progress;
}

/** How the intervals are made (docs/metrics.md), stated in every evaluation. */
export const BOOTSTRAP_METHOD = 'percentile bootstrap, moved by the bootstrap bias (median − estimate), seeded';

/**
 * Objective metrics of one model on a dataset: reconstruction (models with an encoder), latent smoothness
 * (2-D latents), generation quality of prior/bounds samples, with every formula in docs/metrics.md; each with
 * the number of samples it rests on, bootstrap intervals for set-level metrics, and warnings for small sets.
 */
export function evaluateModel(opts: EvaluateOptions): ModelEvaluation {
  const { model, dataset } = opts;
  const { meta } = model;
  checkDatasetMatchesModel(dataset, opts.datasetPath, model);
  if (!(Number.isInteger(opts.generated) && opts.generated >= 2 && opts.generated <= MAX_POINTS)) {
    throw new UserError(`--generated ${opts.generated}: expected an integer from 2 to ${MAX_POINTS}`);
  }
  if (!(Number.isInteger(opts.grid) && opts.grid >= 2 && opts.grid * opts.grid <= MAX_POINTS)) {
    throw new UserError(`--grid ${opts.grid}: expected an integer from 2 to ${Math.floor(Math.sqrt(MAX_POINTS))} (at most ${MAX_POINTS} grid points)`);
  }
  if (opts.split === 'held-out') checkHeldOut(opts);
  if (opts.split === 'validation' || opts.split === 'train') checkSplitDataset(opts);
  const progress = opts.progress ?? silentProgress;
  const { rows, splitRows } = selectRows(opts);
  if (rows.length < 2) throw new UserError(`the ${splitName(opts.split)} of ${opts.datasetPath} has ${rows.length} sample(s); evaluation needs at least 2`);
  const flat = dataset.readRows(rows);
  const real = Array.from(rows, (_, i) => flat.slice(i * dataset.length, (i + 1) * dataset.length));
  real.forEach((x, i) => checkFiniteRow(x, rows[i]!, dataset, opts.datasetPath));
  const attack = meta.preprocess.attack;
  const resamples = opts.resamples ?? BOOTSTRAP_RESAMPLES;
  const box = latentBoxFor(meta, opts.bounds ?? DEFAULT_BOUNDS);
  if (box.fallback && (meta.latent === 2 || !meta.latent_prior)) opts.info?.(box.fallback);

  const out = { metrics: {} as Record<string, number>, counts: {} as Record<string, MetricCount>, intervals: {} as Record<string, Interval>, warnings: [] as string[] };
  const add = (prefix: string, scored: Scored<Record<string, number>>) => {
    for (const [k, v] of Object.entries(scored.metrics)) out.metrics[prefix + k] = v;
    for (const [k, v] of Object.entries(scored.counts)) out.counts[prefix + k] = v;
    for (const [k, v] of Object.entries(scored.intervals)) out.intervals[prefix + k] = v;
    for (const w of scored.warnings) out.warnings.push(`${prefix}${w.key}: ${w.message}`);
  };
  const rng = new Rng(opts.seed);
  const steps = (model.encoder ? 1 : 0) + (meta.latent === 2 ? 1 : 0) + 1;
  progress.start(steps, `evaluating ${meta.name}`);
  if (model.encoder) {
    const recon: Float32Array[] = [];
    for (let start = 0; start < real.length; start += 64) {
      const chunk = real.slice(start, start + 64);
      const z = encodeRows(model, chunk, false);
      checkFiniteOutput(z, model, 'encoder outputs (latent points)', (i) => `row ${rows[start + i]}`);
      recon.push(...decodePoints(model, z));
    }
    checkFiniteOutput(recon, model, 'reconstructions');
    add('recon_', evaluateReconstruction(real, recon, meta.sample_rate, { attack }));
    progress.increment();
  }
  const reference = realReference(real, meta.sample_rate, { attack });
  if (meta.latent === 2) {
    const cells = gridPoints(meta, opts.grid, opts.grid, box);
    const decoded = decodePoints(model, cells.map((c) => c.point));
    checkFiniteOutput(decoded, model, 'decodes of the smoothness grid');
    const grid = Array.from({ length: opts.grid }, (_, r) => decoded.slice(r * opts.grid, (r + 1) * opts.grid));
    const { smoothness, ...details } = latentSmoothness(grid, rng);
    // All of it: where the largest jump lies (max_jump_row/col → row2/col2) is what a user looks at next.
    const n = { n_generated: decoded.length };
    add('', { metrics: { smoothness }, counts: { smoothness: n }, intervals: {}, warnings: [] });
    add('smoothness_', { metrics: { ...details }, counts: Object.fromEntries(Object.keys(details).map((k) => [k, n])), intervals: {}, warnings: [] });
    // The grid decodes are what a user hears when exploring the plane; score them as generated samples too.
    add('gen_grid_', evaluateGeneration(reference, decoded, meta.sample_rate, rng, { resamples }));
    progress.increment();
  }
  const generated = decodePoints(model, randomPoints(meta, opts.generated, rng, box));
  checkFiniteOutput(generated, model, 'decodes of random latent points');
  add('gen_', evaluateGeneration(reference, generated, meta.sample_rate, rng, { resamples }));
  progress.increment();
  progress.stop();
  const training = (meta as unknown as { training?: { run?: string } }).training;
  return {
    name: meta.name,
    model_type: meta.model_type,
    config_hash: meta.config_hash,
    run: training?.run ?? null,
    dataset: path.resolve(opts.datasetPath),
    split: opts.split,
    count: real.length,
    split_rows: splitRows,
    dataset_rows: dataset.count,
    metrics: out.metrics,
    counts: out.counts,
    intervals: out.intervals,
    bootstrap: { resamples, level: BOOTSTRAP_LEVEL, method: BOOTSTRAP_METHOD },
    bounds: box,
    warnings: out.warnings,
  };
}

function splitName(split: EvalSplit): string {
  return split === 'held-out' ? 'held-out dataset' : `${split} split`;
}

/** The training run's record of its dataset (sampgen.json's `training`, absent in hand-made folders). */
function trainingDatasetOf(model: OpenedModel): string | null {
  const training = (model.meta as unknown as { training?: { dataset?: { path?: unknown } } }).training;
  return typeof training?.dataset?.path === 'string' ? training.dataset.path : null;
}

function configOf(model: OpenedModel): { validation: number; seed: number } {
  const config = model.meta.config as { data?: { validation?: number }; train?: { seed?: number } };
  return { validation: config.data?.validation ?? 0.1, seed: config.train?.seed ?? 1 };
}

/**
 * A held-out dataset must not be the model's training dataset; and where that dataset is still on disk, rows
 * whose source file (by sha256) is in the training split are reported (they are not held out).
 */
function checkHeldOut(opts: EvaluateOptions): void {
  const trainedOn = trainingDatasetOf(opts.model);
  if (!trainedOn) return;
  if (path.resolve(trainedOn) === path.resolve(opts.datasetPath)) {
    throw new UserError(
      `${opts.datasetPath} is the dataset model ${opts.model.meta.name} was trained on: evaluate it with --dataset and ` +
        '--split val|train|all; --held-out is for a dataset the model never saw',
    );
  }
  let info;
  try {
    info = readDatasetInfo(trainedOn);
  } catch {
    return; // moved or deleted: nothing to compare with
  }
  const { validation, seed } = configOf(opts.model);
  const trained = new Set(Array.from(trainingSplit(info.count, validation, seed).train, (i) => info.files[i]?.sha256));
  const shared = opts.dataset.info.files.filter((f) => trained.has(f.sha256));
  if (shared.length > 0) {
    opts.warn?.(
      `${shared.length} of ${opts.dataset.count} rows of held-out dataset ${opts.datasetPath} come from files model ` +
        `${opts.model.meta.name} trained on (same sha256 as its training split of ${trainedOn}), e.g. ${shared[0]!.path}`,
    );
  }
}

/**
 * The training run's split means something only on the dataset it trained on: the same seed and fraction over other
 * rows pick rows the model may well have trained on. A model that records its dataset (sampgen.json run.dataset_fingerprint)
 * is refused --split val|train on another one.
 */
function checkSplitDataset(opts: EvaluateOptions): void {
  const recorded = opts.model.meta.run?.dataset_fingerprint;
  if (recorded === undefined) return; // exported before fingerprints were recorded
  const actual = datasetFingerprint(opts.dataset.info);
  if (actual !== recorded) {
    throw new UserError(
      `${opts.model.meta.name} was trained on dataset ${recorded}, but ${opts.datasetPath} is dataset ${actual}: its ${splitName(opts.split)} ` +
        'would pick rows by the training run\'s seed from other data (some of which the model may have trained on); ' +
        'pass the dataset it trained on, or use --held-out for data it never saw (or --split all)',
    );
  }
}

function selectRows(opts: EvaluateOptions): { rows: Int32Array; splitRows: number } {
  const { dataset } = opts;
  let rows: Int32Array;
  if (opts.split === 'all' || opts.split === 'held-out') rows = Int32Array.from({ length: dataset.count }, (_, i) => i);
  else {
    const { validation, seed } = configOf(opts.model);
    const split = trainingSplit(dataset.count, validation, seed);
    rows = opts.split === 'validation' ? split.validation : split.train;
  }
  const splitRows = rows.length;
  if (rows.length <= opts.maxSamples) return { rows, splitRows };
  const picked = new Rng(opts.seed).shuffle(Int32Array.from(rows)) as Int32Array;
  return { rows: picked.slice(0, opts.maxSamples).sort(), splitRows };
}

/** One line naming what an evaluation rests on, e.g. "validation split of data/snares: 8 of 79 rows". */
export function describeRows(e: ModelEvaluation): string {
  const what = e.split === 'held-out' ? `held-out dataset ${e.dataset}, used whole` : `${e.split} split of ${e.dataset}`;
  const subset = e.count < e.split_rows ? `${e.count} rows (a seeded subset of the split's ${e.split_rows})` : `${e.count} rows`;
  return `${e.name}: ${what}: ${subset} of ${e.dataset_rows}`;
}

/**
 * The metrics a comparison reads first (docs/metrics.md): reconstruction error, smoothness of the latent plane,
 * generation quality and diversity, and the artifact scores of what the study heard (clicks, noisy tails, hiss).
 */
export const HEADLINE_METRICS = [
  'recon_mse',
  'recon_mr_stft',
  'recon_lsd_db',
  'smoothness',
  'gen_frechet',
  'gen_ndb_fraction',
  'gen_nn_to_real',
  'gen_nn_within_generated',
  'gen_click_onset_db',
  'gen_click_jump',
  'gen_tail_noise_db',
  'gen_hiss_vs_real_db',
] as const;

/**
 * The markdown comparison table of several evaluations, one row per metric: the metric, how many real and
 * generated samples it rests on, then one column per model holding the value and, for set-level metrics, its
 * bootstrap interval as "[low, high]". Headline metrics come first (only those with `headline`), then every
 * other key in the order the evaluations list them. Where models rest on different counts, the count columns
 * say "varies" and each value carries its own "(n a/b)".
 */
export function metricsMarkdown(evals: ModelEvaluation[], options: { headline?: boolean } = {}): string {
  const present = new Set(evals.flatMap((e) => Object.keys(e.metrics)));
  const first = HEADLINE_METRICS.filter((k) => present.has(k));
  const rest = options.headline ? [] : [...present].filter((k) => !(first as string[]).includes(k));
  const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const countText = (n: number | undefined) => (n === undefined ? '—' : String(n));
  const lines = [row(['metric', 'n_real', 'n_generated', ...evals.map((e) => escape(e.name))]), row(['---', '---:', '---:', ...evals.map(() => '---:')])];
  for (const key of [...first, ...rest]) {
    const withKey = evals.filter((e) => key in e.metrics);
    const countsOf = (e: ModelEvaluation) => `${countText(e.counts?.[key]?.n_real)}/${countText(e.counts?.[key]?.n_generated)}`;
    const same = new Set(withKey.map(countsOf)).size <= 1;
    const c = withKey[0]?.counts?.[key];
    const cells = evals.map((e) => {
      if (!(key in e.metrics)) return 'n/a';
      const interval = e.intervals?.[key];
      let text = formatMetricValue(e.metrics[key]);
      if (interval) text += ` [${formatMetricValue(interval.low)}, ${formatMetricValue(interval.high)}]`;
      if (!same) text += ` (n ${countsOf(e)})`;
      return text;
    });
    lines.push(row([escape(key), same ? countText(c?.n_real) : 'varies', same ? countText(c?.n_generated) : 'varies', ...cells]));
  }
  return lines.join('\n') + '\n';
}
