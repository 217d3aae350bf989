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
import { conditionVector, defaultClass, describeCondition } from '../models/condition';
import { Progress, silentProgress } from '../progress';
import { Rng } from '../util/rng';
import { deriveSeed } from '../util/seeds';
import { ClassEvaluation, DatasetClassifier, evaluateClasses, fitDatasetClassifier } from './class-evaluation';
import { checkDatasetMatchesModel, checkFiniteOutput, checkFiniteRow, rowConditions } from './latent-map';
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
  /** A conditional model: what it is conditioned on, and which condition each group of metrics was measured under. */
  conditioning: null | { layout: string; reconstruction: string; generated: string; grid: string | null };
  /** Per drum class (src/infer/class-evaluation.ts), or null with `classes_skipped` saying why. */
  classes: ClassEvaluation | null;
  classes_skipped: string | null;
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
  /** Samples generated per requested class (and spread over velocity) for the class evaluation (default DEFAULT_PER_CLASS). */
  perClass?: number;
  /** The dataset's class classifier, fitted once for several models (fitDatasetClassifier); fitted here when absent. */
  classifier?: DatasetClassifier | { reason: string };
  info?: (message: string) => void;
  warn?: (message: string) => void;
  progress?: Progress;
}

/** Generated samples per requested class in the class evaluation (`--per-class`). */
export const DEFAULT_PER_CLASS = 100;
/** Seed stream of the class evaluation's latent points: adding it moved none of the other metrics' draws. */
const CLASS_EVAL_SEED_STREAM = 102;

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
  const perClass = opts.perClass ?? DEFAULT_PER_CLASS;
  const groups = meta.condition?.classes?.length ?? 1;
  if (!(Number.isInteger(perClass) && perClass >= 2 && perClass * groups <= MAX_POINTS)) {
    throw new UserError(`--per-class ${perClass}: expected an integer from 2 to ${Math.floor(MAX_POINTS / groups)} (at most ${MAX_POINTS} samples over ${groups} class(es))`);
  }
  if (opts.split === 'held-out') checkHeldOut(opts);
  if (opts.split === 'validation' || opts.split === 'train') checkSplitDataset(opts);
  const progress = opts.progress ?? silentProgress;
  const { rows, splitRows } = selectRows(opts);
  if (rows.length < 2) throw new UserError(`the ${splitName(opts.split)} of ${opts.datasetPath} has ${rows.length} sample(s); evaluation needs at least 2`);
  const flat = dataset.readRows(rows);
  const real = Array.from(rows, (_, i) => flat.slice(i * dataset.length, (i + 1) * dataset.length));
  real.forEach((x, i) => checkFiniteRow(x, rows[i]!, dataset, opts.datasetPath));
  // A conditional model encodes each real row with its own class and level, as it trained on them.
  const realConditions = rowConditions(model, dataset, opts.datasetPath, rows);
  const layout = meta.condition ?? null;
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
  const classifier = opts.classifier ?? fitDatasetClassifier(dataset, opts.datasetPath, { maxRows: opts.maxSamples, seed: opts.seed, attack });
  const steps = (model.encoder ? 1 : 0) + (meta.latent === 2 ? 1 : 0) + 1 + ('reason' in classifier ? 0 : 1);
  let conditioning: ModelEvaluation['conditioning'] = null;
  progress.start(steps, `evaluating ${meta.name}`);
  if (model.encoder) {
    const recon: Float32Array[] = [];
    for (let start = 0; start < real.length; start += 64) {
      const chunk = real.slice(start, start + 64);
      const chunkConditions = realConditions?.slice(start, start + 64);
      const z = encodeRows(model, chunk, false, chunkConditions);
      checkFiniteOutput(z, model, 'encoder outputs (latent points)', (i) => `row ${rows[start + i]}`);
      recon.push(...decodePoints(model, z, 64, chunkConditions));
    }
    checkFiniteOutput(recon, model, 'reconstructions');
    add('recon_', evaluateReconstruction(real, recon, meta.sample_rate, { attack }));
    progress.increment();
  }
  const reference = realReference(real, meta.sample_rate, { attack });
  let gridNote: string | null = null;
  if (meta.latent === 2) {
    const cells = gridPoints(meta, opts.grid, opts.grid, box);
    // A conditional model's plane is one per condition: the grid is decoded at the default one (the most common
    // class, velocity 0.5, as `generate` decodes without options), and compared with the real rows of that class.
    let gridReference = reference;
    let gridConditions: Float32Array[] | undefined;
    if (layout) {
      const condition = conditionVector(layout, {});
      gridConditions = cells.map(() => condition);
      const parts = [layout.classes ? `${defaultClass(layout)} (the most common training class)` : null, layout.velocity ? 'velocity 0.50' : null].filter(Boolean);
      gridNote = `decoded as ${parts.join(' at ')}`;
      if (layout.classes) {
        const own = defaultClass(layout);
        const ofClass = real.filter((_, i) => dataset.info.files[rows[i]!]!.class === own);
        if (ofClass.length >= 2) {
          gridReference = realReference(ofClass, meta.sample_rate, { attack });
          gridNote += `; gen_grid_* against the ${ofClass.length} real ${own} rows`;
        } else {
          gridNote += `; gen_grid_* against all ${real.length} real rows (${ofClass.length} of class ${own})`;
        }
      }
    }
    const decoded = decodePoints(model, cells.map((c) => c.point), 64, gridConditions);
    checkFiniteOutput(decoded, model, 'decodes of the smoothness grid');
    const grid = Array.from({ length: opts.grid }, (_, r) => decoded.slice(r * opts.grid, (r + 1) * opts.grid));
    const { smoothness, ...details } = latentSmoothness(grid, rng);
    // All of it: where the largest jump lies (max_jump_row/col → row2/col2) is what a user looks at next.
    const n = { n_generated: decoded.length };
    add('', { metrics: { smoothness }, counts: { smoothness: n }, intervals: {}, warnings: [] });
    add('smoothness_', { metrics: { ...details }, counts: Object.fromEntries(Object.keys(details).map((k) => [k, n])), intervals: {}, warnings: [] });
    // The grid decodes are what a user hears when exploring the plane; score them as generated samples too.
    add('gen_grid_', evaluateGeneration(gridReference, decoded, meta.sample_rate, rng, { resamples }));
    progress.increment();
  }
  const points = randomPoints(meta, opts.generated, rng, box);
  // A conditional model's random samples take the condition of a real row drawn at random, so that the generated
  // set holds the real set's mix of classes and levels, and the set metrics compare like with like.
  const generatedConditions = realConditions ? points.map(() => realConditions[rng.int(realConditions.length)]!) : undefined;
  const generated = decodePoints(model, points, 64, generatedConditions);
  checkFiniteOutput(generated, model, 'decodes of random latent points');
  add('gen_', evaluateGeneration(reference, generated, meta.sample_rate, rng, { resamples }));
  progress.increment();
  if (layout) {
    conditioning = {
      layout: describeCondition(layout),
      reconstruction: "each real row encoded and decoded with its own class and level (dataset.json's class and attack_rms_dbfs)",
      generated: `each of the ${points.length} random latent points decoded with the condition of a real row drawn at random (the real set's mix of classes and levels)`,
      grid: gridNote,
    };
  }
  let classes: ClassEvaluation | null = null;
  if (!('reason' in classifier)) {
    const done = evaluateClasses({
      model,
      fitted: classifier,
      realClasses: Array.from(rows, (r) => dataset.info.files[r]!.class!),
      generated,
      perClass,
      rng: new Rng(deriveSeed(opts.seed, CLASS_EVAL_SEED_STREAM, 0)),
      box,
    });
    add('', done.scored);
    classes = done.report;
    progress.increment();
  }
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
    conditioning,
    classes,
    classes_skipped: 'reason' in classifier ? classifier.reason : null,
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
  'class_real_accuracy',
  'class_gen_accuracy',
  'velocity_spearman',
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

/**
 * The per-class section of evaluate's report (markdown): the classifier, one row per class with its share of the
 * real rows and the classifier's accuracy on held-out real rows of that class, then per model what its generated
 * samples were called (accuracy for the requested class, or, for a model not conditioned on class, the share the
 * classifier assigned to the class) and the velocity rank correlation; every number with the samples it rests on.
 * Empty when no evaluation has a class evaluation (but a line on why, when one was skipped).
 */
export function classesMarkdown(evals: ModelEvaluation[]): string {
  const withClasses = evals.filter((e) => e.classes);
  const skipped = [...new Set(evals.flatMap((e) => (e.classes_skipped ? [e.classes_skipped] : [])))];
  if (withClasses.length === 0) return skipped.length > 0 ? `No class evaluation: ${skipped.join('; ')}.\n` : '';
  const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const num = (v: number | null | undefined): string => (v === null || v === undefined ? 'n/a' : formatMetricValue(v));
  const { classifier } = withClasses[0]!.classes!;
  const realShares = (() => {
    const d = withClasses.find((e) => e.classes!.distribution)?.classes!.distribution?.real;
    return d ?? null;
  })();
  const lines = [
    `Classifier: ${classifier.method}. ${classifier.split}: ${classifier.train_rows} rows fitted, ${classifier.test_rows} held out; ` +
      `accuracy on the held-out real rows ${num(classifier.accuracy)} (n ${classifier.test_rows}).` +
      (classifier.left_out.unknown > 0 ? ` ${classifier.left_out.unknown} 'unknown' rows left out.` : '') +
      (classifier.left_out.beyond_max_samples > 0 ? ` ${classifier.left_out.beyond_max_samples} labelled rows beyond --max-samples left out.` : ''),
    '',
    row(['class', 'real: held-out accuracy', ...(realShares ? ['real: share of rows'] : []), ...withClasses.map((e) => escape(e.name))]),
    row(['---', '---:', ...(realShares ? ['---:'] : []), ...withClasses.map(() => '---:')]),
  ];
  const requestedClasses = withClasses.flatMap((e) => e.classes!.requested?.classes.map((c) => c.class) ?? []);
  const allClasses = [...new Set([...classifier.classes, ...requestedClasses])];
  for (const c of allClasses) {
    const real = classifier.per_class.find((p) => p.class === c);
    const cells = withClasses.map((e) => {
      const { requested, distribution } = e.classes!;
      if (requested) {
        const mine = requested.classes.find((r) => r.class === c);
        if (!mine) return 'not a class of the model';
        const accuracy = mine.accuracy === null ? 'n/a (the classifier cannot recognise it)' : `${num(mine.accuracy)} (n ${mine.n})`;
        return mine.velocity_spearman !== null ? `${accuracy}; ρ ${num(mine.velocity_spearman)}` : accuracy;
      }
      return distribution && c in distribution.generated ? `share ${num(distribution.generated[c])} (n ${distribution.n})` : 'n/a';
    });
    lines.push(row([escape(c), real ? `${num(real.accuracy)} (n ${real.test})` : 'n/a (no rows)', ...(realShares ? [num(realShares[c] ?? 0)] : []), ...cells]));
  }
  const overall = withClasses.map((e) => {
    const { requested, velocity } = e.classes!;
    const accuracy = e.metrics.class_gen_accuracy !== undefined ? `${num(e.metrics.class_gen_accuracy)} (n ${e.counts.class_gen_accuracy?.n_generated})` : requested ? 'n/a' : 'no class requested';
    return velocity.spearman !== null ? `${accuracy}; ρ ${num(velocity.spearman)} (n ${velocity.n})` : `${accuracy}; ρ n/a`;
  });
  lines.push(row(['**all**', `${num(classifier.accuracy)} (n ${classifier.test_rows})`, ...(realShares ? ['1'] : []), ...overall]));
  lines.push(
    '',
    'Generated, for a model conditioned on class: the share of the samples generated per requested class (latent points from the prior, ' +
      'velocities spread evenly over 0…1) that the classifier assigns to that class, (n) the number generated. ρ: Spearman rank correlation ' +
      'between the requested velocity and the generated sample\'s attack level (attack RMS around its peak). A model not conditioned on class ' +
      'cannot be asked for one: its column gives the share of its prior samples the classifier assigns to each class. ρ n/a: the model is not ' +
      'conditioned on velocity.',
  );
  const notes = withClasses.flatMap((e) => [
    ...(e.classes!.requested?.classes.flatMap((c) => (c.note ? [`${e.name}: ${c.note}`] : [])) ?? []),
    ...(e.classes!.velocity.note ? [`${e.name}: velocity: ${e.classes!.velocity.note}`] : []),
    ...(e.conditioning?.grid ? [`${e.name}: smoothness grid ${e.conditioning.grid}`] : []),
  ]);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${n}`));
  if (skipped.length > 0) lines.push('', `No class evaluation for the other models: ${skipped.join('; ')}.`);
  return lines.join('\n') + '\n';
}
