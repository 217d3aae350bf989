/**
 * `evaluate` per drum class (issue 13): an independent classifier fitted to the real rows of the dataset (its own
 * accuracy on real rows it never saw reported beside everything it says), then, for a model conditioned on class,
 * N generated samples per requested class and how often the classifier hears that class; for a model conditioned
 * on velocity, how well the generated level follows the requested velocity (Spearman's rank correlation). A model
 * not conditioned on class cannot be asked for one: it gets the classifier's class distribution of its generated
 * samples instead, beside the real rows' distribution, and no accuracy.
 */
import { Dataset } from '../data';
import { splitIndices } from '../data/split';
import { classifySample, CLASSIFIER_METHOD, fitSampleClassifier, SampleClassifier, spearman } from '../eval/classifier';
import type { MetricCount, Scored } from '../eval/summary';
import { MIN_SAMPLES_FOR_MEANS } from '../eval/summary';
import { conditionVector } from '../models/condition';
import { peakIndex } from '../preprocess/peak-align';
import { sourceLevels } from '../preprocess/pipeline';
import { Rng } from '../util/rng';
import { deriveSeed } from '../util/seeds';
import { checkFiniteOutput, checkFiniteRow, compareClasses, datasetClasses } from './latent-map';
import { decodePoints, OpenedModel, randomPoints } from './model';

/** The share of each class's rows the classifier never trains on (its accuracy is measured there). */
export const CLASSIFIER_HELD_OUT = 0.25;
/** A seed stream of its own, so the classifier's split never moves with the other draws of `evaluate`. */
const CLASSIFIER_SEED_STREAM = 101;

/** The class rows are labelled with when no rule named them: a catch-all, not a timbre a classifier could learn. */
const UNKNOWN = 'unknown';

export interface ClassifierReport {
  method: string;
  /** The classes it answers (those with training rows), in sampgen's order. */
  classes: string[];
  /** How the rows were split, in words. */
  split: string;
  train_rows: number;
  test_rows: number;
  /** Accuracy on the held-out real rows (null when no class has two rows to split). */
  accuracy: number | null;
  per_class: { class: string; train: number; test: number; accuracy: number | null }[];
  /** Labelled rows left out: 'unknown' ones, and those beyond --max-samples. */
  left_out: { unknown: number; beyond_max_samples: number };
}

/** The classifier, fitted once per dataset, shared by every model `evaluate` is given. */
export interface DatasetClassifier {
  classifier: SampleClassifier;
  report: ClassifierReport;
}

/** What the class evaluation of one model found (evaluate's `classes` entry). */
export interface ClassEvaluation {
  classifier: ClassifierReport;
  /** A model conditioned on class: per requested class, N samples and what the classifier called them. */
  requested: null | {
    per_class_samples: number;
    velocities: string | null;
    classes: { class: string; n: number; accuracy: number | null; assigned: Record<string, number>; velocity_spearman: number | null; note: string | null }[];
  };
  /** A model not conditioned on class: the classifier's verdicts on its generated samples, beside the real rows' classes. */
  distribution: null | { n: number; generated: Record<string, number>; real: Record<string, number>; note: string };
  velocity: { spearman: number | null; n: number; note: string | null };
}

/**
 * Fits the classifier on the dataset's labelled rows (up to `maxRows`, a seeded subset), holding out
 * CLASSIFIER_HELD_OUT of each class's rows (stratified, by split.ts's splitIndices, so a small class still has
 * held-out rows). Returns the reason instead when the dataset has no classes, or fewer than two to tell apart.
 */
export function fitDatasetClassifier(dataset: Dataset, datasetPath: string, opts: { maxRows: number; seed: number; attack: number }): DatasetClassifier | { reason: string } {
  const found = datasetClasses(dataset.info, datasetPath);
  if ('reason' in found) return { reason: found.reason };
  const labelled = Int32Array.from(found.classes.flatMap((c, i) => (c === UNKNOWN ? [] : [i])));
  const unknown = found.classes.length - labelled.length;
  const rng = new Rng(deriveSeed(opts.seed, CLASSIFIER_SEED_STREAM, 0));
  let rows = labelled;
  if (rows.length > opts.maxRows) rows = (rng.shuffle(Int32Array.from(rows)) as Int32Array).slice(0, opts.maxRows).sort();
  const byClass = new Map<string, number[]>();
  for (const r of rows) byClass.set(found.classes[r]!, [...(byClass.get(found.classes[r]!) ?? []), r]);
  const classes = [...byClass.keys()].sort(compareClasses);
  if (classes.length < 2) {
    return { reason: `dataset ${datasetPath} has ${classes.length === 0 ? 'no labelled rows' : `one class (${classes[0]})`} besides 'unknown': nothing for a classifier to tell apart` };
  }
  const train: number[] = [];
  const test: number[] = [];
  const perClass: ClassifierReport['per_class'] = [];
  for (const c of classes) {
    const own = byClass.get(c)!;
    const split = splitIndices(own.length, CLASSIFIER_HELD_OUT, rng);
    train.push(...Array.from(split.train, (i) => own[i]!));
    test.push(...Array.from(split.validation, (i) => own[i]!));
    perClass.push({ class: c, train: split.train.length, test: split.validation.length, accuracy: null });
  }
  const read = (indices: number[]) => {
    const flat = dataset.readRows(Int32Array.from(indices));
    return indices.map((r, i) => {
      const row = flat.slice(i * dataset.length, (i + 1) * dataset.length);
      checkFiniteRow(row, r, dataset, datasetPath);
      return row;
    });
  };
  const classifier = fitSampleClassifier(read(train), train.map((r) => found.classes[r]!), dataset.sampleRate, opts.attack);
  const predicted = read(test).map((x) => classifySample(classifier, x));
  let right = 0;
  for (const entry of perClass) {
    const mine = test.map((r, i) => [found.classes[r]!, predicted[i]!] as const).filter(([truth]) => truth === entry.class);
    const hits = mine.filter(([truth, guess]) => truth === guess).length;
    right += hits;
    entry.accuracy = mine.length > 0 ? hits / mine.length : null;
  }
  const report: ClassifierReport = {
    method: CLASSIFIER_METHOD,
    classes,
    split: `${Math.round(CLASSIFIER_HELD_OUT * 100)}% of each class's rows held out (stratified, seed ${opts.seed}); fitted on the rest`,
    train_rows: train.length,
    test_rows: test.length,
    accuracy: test.length > 0 ? right / test.length : null,
    per_class: perClass,
    left_out: { unknown, beyond_max_samples: labelled.length - rows.length },
  };
  return { classifier, report };
}

/** The attack level of a generated sample (src/preprocess/pipeline.ts sourceLevels around its own peak), in dBFS. */
export function generatedLevel(x: Float32Array, sampleRate: number): number {
  const peak = peakIndex(x);
  return peak < 0 ? -Infinity : sourceLevels(x, peak, sampleRate).attackRmsDbfs;
}

/** Velocities spread evenly over 0…1, both ends included (0.5 alone for a single sample). */
export function spreadVelocities(n: number): number[] {
  return Array.from({ length: n }, (_, k) => (n === 1 ? 0.5 : k / (n - 1)));
}

function tally(labels: readonly string[], classes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}

/**
 * The class evaluation of one model against a fitted classifier, as a report and as metrics with counts:
 * class_real_accuracy[:class] (n_real: held-out rows), class_gen_accuracy[:class] and velocity_spearman[:class]
 * (n_generated), or class_gen_fraction:class for a model not conditioned on class. `generated` is the model's
 * unconditioned set of prior samples (scored for the distribution of a model not conditioned on class).
 */
export function evaluateClasses(opts: {
  model: OpenedModel;
  fitted: DatasetClassifier;
  /** The real rows' classes (for the distribution a model not conditioned on class is compared with). */
  realClasses: readonly string[];
  generated: readonly Float32Array[];
  perClass: number;
  rng: Rng;
  box: { min: number[]; max: number[] };
}): { report: ClassEvaluation; scored: Scored<Record<string, number>> } {
  const { model, fitted } = opts;
  const { meta } = model;
  const layout = meta.condition ?? null;
  const { classifier, report: classifierReport } = fitted;
  const metrics: Record<string, number> = {};
  const counts: Record<string, MetricCount> = {};
  const warnings: { key: string; message: string }[] = [];
  const put = (key: string, value: number | null, count: MetricCount) => {
    if (value === null || !Number.isFinite(value)) return;
    metrics[key] = value;
    counts[key] = count;
  };
  const small = (key: string, n: number, what: string, why: string) => {
    if (n < MIN_SAMPLES_FOR_MEANS) warnings.push({ key, message: `rests on ${n} ${what} (fewer than ${MIN_SAMPLES_FOR_MEANS}: ${why})` });
  };
  const coarse = 'a proportion moves in steps of 1/n';
  put('class_real_accuracy', classifierReport.accuracy, { n_real: classifierReport.test_rows });
  small('class_real_accuracy', classifierReport.test_rows, 'held-out real rows', coarse);
  for (const c of classifierReport.per_class) put(`class_real_accuracy:${c.class}`, c.accuracy, { n_real: c.test });

  let requested: ClassEvaluation['requested'] = null;
  let distribution: ClassEvaluation['distribution'] = null;
  const velocityPairs = { requested: [] as number[], measured: [] as number[] };
  if (layout?.classes) {
    const n = opts.perClass;
    const velocities = layout.velocity ? spreadVelocities(n) : null;
    // The same latent points for every class (as `generate --random` does): classes differ only by their condition.
    const points = randomPoints(meta, n, opts.rng, opts.box);
    const classes: NonNullable<ClassEvaluation['requested']>['classes'] = [];
    let right = 0;
    let judged = 0;
    for (const c of layout.classes) {
      const conditions = points.map((_, k) => conditionVector(layout, { mix: { [c]: 1 }, ...(velocities ? { velocity: velocities[k]! } : {}) }));
      const samples = decodePoints(model, points, 64, conditions);
      checkFiniteOutput(samples, model, `decodes of random latent points as ${c}`);
      const verdicts = samples.map((x) => classifySample(classifier, x));
      const judgeable = classifierReport.classes.includes(c);
      const hits = verdicts.filter((v) => v === c).length;
      let rho: number | null = null;
      if (velocities) {
        const levels = samples.map((x) => generatedLevel(x, meta.sample_rate));
        velocityPairs.requested.push(...velocities);
        velocityPairs.measured.push(...levels);
        const r = spearman(velocities, levels);
        rho = Number.isNaN(r) ? null : r;
      }
      if (judgeable) {
        right += hits;
        judged += n;
      }
      classes.push({
        class: c,
        n,
        accuracy: judgeable ? hits / n : null,
        assigned: tally(verdicts, classifierReport.classes),
        velocity_spearman: rho,
        note: judgeable
          ? null
          : `the classifier has no ${c} rows to learn from (${c === UNKNOWN ? "'unknown' is no timbre" : 'none in this dataset'}), so it cannot recognise ${c}`,
      });
      put(`class_gen_accuracy:${c}`, judgeable ? hits / n : null, { n_generated: n });
      put(`velocity_spearman:${c}`, rho, { n_generated: n });
    }
    put('class_gen_accuracy', judged > 0 ? right / judged : null, { n_generated: judged });
    small('class_gen_accuracy', n, 'generated samples per class', coarse);
    requested = { per_class_samples: n, velocities: velocities ? `spread evenly over 0…1 (${n} per class)` : null, classes };
  } else {
    const verdicts = opts.generated.map((x) => classifySample(classifier, x));
    const counted = tally(verdicts, classifierReport.classes);
    const realCounted = tally(opts.realClasses.filter((c) => c !== UNKNOWN), classifierReport.classes);
    const realTotal = Object.values(realCounted).reduce((s, v) => s + v, 0);
    const share = (rec: Record<string, number>, total: number) => Object.fromEntries(Object.entries(rec).map(([c, k]) => [c, total > 0 ? k / total : 0]));
    distribution = {
      n: verdicts.length,
      generated: share(counted, verdicts.length),
      real: share(realCounted, realTotal),
      note: `model ${meta.name} is not conditioned on class: no class can be requested, so there is no accuracy; the classifier's verdicts on its ${verdicts.length} prior samples, beside the real rows' classes`,
    };
    for (const c of classifierReport.classes) put(`class_gen_fraction:${c}`, distribution.generated[c]!, { n_generated: verdicts.length });
    if (layout?.velocity) {
      // Conditioned on velocity alone: every sample of the one set, at velocities spread over 0…1.
      const n = opts.perClass;
      const velocities = spreadVelocities(n);
      const points = randomPoints(meta, n, opts.rng, opts.box);
      const samples = decodePoints(model, points, 64, velocities.map((v) => conditionVector(layout, { velocity: v })));
      checkFiniteOutput(samples, model, 'decodes of random latent points at spread velocities');
      velocityPairs.requested.push(...velocities);
      velocityPairs.measured.push(...samples.map((x) => generatedLevel(x, meta.sample_rate)));
    }
  }

  let velocity: ClassEvaluation['velocity'];
  if (layout?.velocity) {
    const r = spearman(velocityPairs.requested, velocityPairs.measured);
    const n = velocityPairs.requested.length;
    velocity = { spearman: Number.isNaN(r) ? null : r, n, note: Number.isNaN(r) ? 'every generated sample has the same level: no order to compare' : null };
    put('velocity_spearman', velocity.spearman, { n_generated: n });
    small('velocity_spearman', n, 'generated samples', 'a rank correlation of so few pairs is far from its value on many');
  } else {
    velocity = { spearman: null, n: 0, note: `not applicable: model ${meta.name} is not conditioned on velocity` };
  }
  return { report: { classifier: classifierReport, requested, distribution, velocity }, scored: { metrics, counts, intervals: {}, warnings } };
}
