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
    const s = latentSmoothness(grid, rng);
    metrics.smoothness = s.smoothness;
    metrics.smoothness_max_jump_ratio = s.max_jump_ratio;
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

/** The markdown comparison table of several evaluations, with the columns that matter most first. */
export function metricsMarkdown(evals: ModelEvaluation[]): string {
  return formatMetricsTable(evals.map((e) => ({ name: e.name, metrics: e.metrics })));
}
