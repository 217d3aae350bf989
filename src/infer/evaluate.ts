import * as path from 'path';
import { Dataset, trainingSplit } from '../data';
import { UserError } from '../errors';
import { evaluateGeneration, evaluateReconstruction, formatMetricsTable, latentSmoothness } from '../eval';
import { Progress, silentProgress } from '../progress';
import { Rng } from '../util/rng';
import { checkDatasetMatchesModel } from './latent-map';
import { decodePoints, encodeRows, gridPoints, OpenedModel, randomPoints } from './model';

export type EvalSplit = 'validation' | 'train' | 'all';
export const EVAL_SPLITS: readonly EvalSplit[] = ['validation', 'train', 'all'];

export const METRICS_FORMAT_VERSION = 1;

/** One model's entry in metrics.json (the format `sampgen report` reads). */
export interface ModelEvaluation {
  name: string;
  model_type: string;
  config_hash: string;
  run: string | null;
  dataset: string;
  split: EvalSplit;
  count: number;
  metrics: Record<string, number>;
}

export interface MetricsFile {
  version: number;
  models: ModelEvaluation[];
}

export interface EvaluateOptions {
  model: OpenedModel;
  dataset: Dataset;
  datasetPath: string;
  split: EvalSplit;
  /** At most this many real rows (a seeded subset), to keep evaluation time bounded. */
  maxSamples: number;
  /** Generated samples for the generation metrics. */
  generated: number;
  /** Grid side for latent smoothness (2-D models). */
  grid: number;
  seed: number;
  progress?: Progress;
}

/**
 * Objective metrics of one model on a dataset: reconstruction (models with an encoder), latent smoothness
 * (2-D latents), generation quality of prior/bounds samples, with every formula in docs/metrics.md.
 */
export function evaluateModel(opts: EvaluateOptions): ModelEvaluation {
  const { model, dataset } = opts;
  const { meta } = model;
  checkDatasetMatchesModel(dataset, opts.datasetPath, model);
  const progress = opts.progress ?? silentProgress;
  const rows = selectRows(opts);
  if (rows.length < 2) throw new UserError(`the ${opts.split} split of ${opts.datasetPath} has ${rows.length} sample(s); evaluation needs at least 2`);
  const flat = dataset.readRows(rows);
  const real = Array.from(rows, (_, i) => flat.slice(i * dataset.length, (i + 1) * dataset.length));
  const metrics: Record<string, number> = {};
  const rng = new Rng(opts.seed);
  const steps = (model.encoder ? 1 : 0) + (meta.latent === 2 ? 1 : 0) + 1;
  progress.start(steps, `evaluating ${meta.name}`);
  if (model.encoder) {
    const recon: Float32Array[] = [];
    for (let start = 0; start < real.length; start += 64) {
      const chunk = real.slice(start, start + 64);
      recon.push(...decodePoints(model, encodeRows(model, chunk)));
    }
    Object.assign(metrics, prefixed('recon_', evaluateReconstruction(real, recon, meta.sample_rate)));
    progress.increment();
  }
  if (meta.latent === 2) {
    const cells = gridPoints(meta, opts.grid, opts.grid);
    const decoded = decodePoints(model, cells.map((c) => c.point));
    const grid = Array.from({ length: opts.grid }, (_, r) => decoded.slice(r * opts.grid, (r + 1) * opts.grid));
    const { smoothness, ...details } = latentSmoothness(grid, rng);
    // All of it: where the largest jump lies (max_jump_row/col → row2/col2) is what a user looks at next.
    metrics.smoothness = smoothness;
    Object.assign(metrics, prefixed('smoothness_', details));
    // The grid decodes are what a user hears when exploring the plane; score them as generated samples too.
    Object.assign(metrics, prefixed('gen_grid_', evaluateGeneration(real, decoded, meta.sample_rate, rng)));
    progress.increment();
  }
  const generated = decodePoints(model, randomPoints(meta, opts.generated, rng));
  Object.assign(metrics, prefixed('gen_', evaluateGeneration(real, generated, meta.sample_rate, rng)));
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
    metrics,
  };
}

function selectRows(opts: EvaluateOptions): Int32Array {
  const { dataset, model } = opts;
  const config = model.meta.config as { data?: { validation?: number }; train?: { seed?: number } };
  let rows: Int32Array;
  if (opts.split === 'all') rows = Int32Array.from({ length: dataset.count }, (_, i) => i);
  else {
    const split = trainingSplit(dataset.count, config.data?.validation ?? 0.1, config.train?.seed ?? 1);
    rows = opts.split === 'validation' ? split.validation : split.train;
  }
  if (rows.length <= opts.maxSamples) return rows;
  const picked = new Rng(opts.seed).shuffle(Int32Array.from(rows)) as Int32Array;
  return picked.slice(0, opts.maxSamples).sort();
}

function prefixed(prefix: string, values: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'number') out[prefix + k] = v;
  return out;
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
  'gen_click_jump',
  'gen_tail_noise_db',
  'gen_hiss_vs_real_db',
] as const;

/**
 * The markdown comparison table of several evaluations: the headline metrics first (only those with
 * `headline`), then every other key in the order the evaluations list them.
 */
export function metricsMarkdown(evals: ModelEvaluation[], options: { headline?: boolean } = {}): string {
  const present = new Set(evals.flatMap((e) => Object.keys(e.metrics)));
  const first = HEADLINE_METRICS.filter((k) => present.has(k));
  const rest = options.headline ? [] : [...present].filter((k) => !(first as string[]).includes(k));
  return formatMetricsTable(
    evals.map((e) => ({ name: e.name, metrics: e.metrics })),
    [...first, ...rest],
  );
}
