/**
 * Set-level summaries: every metric of a model in one flat object of numbers with stable snake_case keys (the
 * contents of metrics.json), with how many samples each rests on, bootstrap intervals for the set-level ones,
 * and warnings where a set is too small for a metric; plus a markdown table that compares models.
 */
import { UserError } from '../errors';
import { Rng } from '../util/rng';
import { highFrequencyRatio, hissCutoffHz, maxDiscontinuity, onsetClickDb, powerRatioDb, tailNoiseDb } from './artifacts';
import { bootstrapInterval, BOOTSTRAP_RESAMPLES, Interval } from './bootstrap';
import { FeatureSpace, fitFeatureSpace, generationFeatures } from './features';
import { frechetDistanceOfFeatures } from './frechet';
import { defaultNdbBins, ndb, ndbOfAssignments, ndbShortfall } from './ndb';
import { meanNearestDistanceWithin } from './neighbours';
import { logSpectralDistance, mrStftDistance, mse } from './reconstruction';
import { fitStandardizer, squaredDistance } from './vectors';

/** How many samples a metric rests on: real samples, generated (or reconstructed, or decoded) samples. */
export interface MetricCount {
  n_real?: number;
  n_generated?: number;
}

/** A caution about one metric (key as in the result, without any prefix). */
export interface MetricWarning {
  key: string;
  message: string;
}

/** A summary's numbers with their support: counts per key, bootstrap intervals, warnings. */
export interface Scored<M> {
  metrics: M;
  counts: Record<string, MetricCount>;
  intervals: Record<string, Interval>;
  warnings: MetricWarning[];
}

/**
 * Below this many samples in a set, every mean over it gets a warning: the standard error of a mean of n values
 * is σ/√n, more than a fifth of the values' own spread below 20.
 */
export const MIN_SAMPLES_FOR_MEANS = 20;

/** Keys of evaluateReconstruction's result, in table order. */
export interface ReconstructionMetrics {
  count: number;
  mse: number;
  mr_stft: number;
  mr_stft_sc: number;
  mr_stft_logmag: number;
  lsd_db: number;
  click_onset_db: number;
  click_onset_db_real: number;
  click_jump: number;
  click_jump_real: number;
  tail_noise_db: number;
  tail_noise_db_real: number;
  hiss_db: number;
  hiss_vs_real_db: number;
  hiss_cutoff_hz: number;
  [key: string]: number;
}

/** Keys of evaluateGeneration's result, in table order. */
export interface GenerationMetrics {
  count_real: number;
  count_generated: number;
  frechet: number;
  ndb: number;
  ndb_fraction: number;
  ndb_bins: number;
  nn_to_real: number;
  nn_within_generated: number;
  nn_within_real: number;
  click_onset_db: number;
  click_onset_db_real: number;
  click_jump: number;
  click_jump_real: number;
  tail_noise_db: number;
  tail_noise_db_real: number;
  hiss_db: number;
  hiss_vs_real_db: number;
  hiss_cutoff_hz: number;
  [key: string]: number;
}

function mean(values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return values.length > 0 ? s / values.length : 0;
}

function checkSet(set: readonly Float32Array[], what: string, min: number): void {
  if (set.length < min) throw new UserError(`${what}: need at least ${min} sample(s), got ${set.length}`);
  const length = set[0]!.length;
  if (length === 0) throw new UserError(`${what}: sample 0 is empty`);
  set.forEach((x, i) => {
    if (x.length !== length) throw new UserError(`${what}: sample ${i} has ${x.length} samples, sample 0 has ${length}`);
    const bad = firstNonFinite(x);
    if (bad >= 0) throw new UserError(`${what}: sample ${i} holds ${x[bad]} at index ${bad} (metrics need finite audio)`);
  });
}

/** Index of the first NaN or ±Infinity in x, or −1. */
export function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

function checkSampleRate(sampleRate: number): void {
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
    throw new UserError(`sample rate must be a positive number, got ${sampleRate}`);
  }
}

function checkAttack(attack: number, length: number): void {
  if (!Number.isInteger(attack) || attack < 0 || attack >= length) {
    throw new UserError(`attack must be a sample index in 0..${length - 1}, got ${attack}`);
  }
}

/** Per-sample artifact scores of one set, computed once and shared by every summary that compares with it. */
export interface ArtifactScores {
  click_onset_db: number[];
  click_jump: number[];
  tail_noise_db: number[];
  hiss: number[];
}

function artifactScores(set: readonly Float32Array[], sampleRate: number, attack: number): ArtifactScores {
  const cutoff = hissCutoffHz(sampleRate);
  return {
    click_onset_db: set.map((x) => onsetClickDb(x, sampleRate, attack)),
    click_jump: set.map((x) => maxDiscontinuity(x, sampleRate).score),
    tail_noise_db: set.map((x) => tailNoiseDb(x)),
    hiss: set.map((x) => highFrequencyRatio(x, sampleRate, cutoff)),
  };
}

const ARTIFACT_KEYS = ['click_onset_db', 'click_jump', 'tail_noise_db'] as const;

/** Artifact means of the evaluated set, the same for the real set as a reference, and hiss relative to real. */
function artifactSummary(real: ArtifactScores, model: ArtifactScores, sampleRate: number, counts: Record<string, MetricCount>) {
  const nReal = real.hiss.length;
  const nModel = model.hiss.length;
  const out: Record<string, number> = {};
  for (const key of ARTIFACT_KEYS) {
    out[key] = mean(model[key]);
    out[`${key}_real`] = mean(real[key]);
    counts[key] = { n_generated: nModel };
    counts[`${key}_real`] = { n_real: nReal };
  }
  const hissModel = mean(model.hiss);
  const hissReal = mean(real.hiss);
  out.hiss_db = powerRatioDb(hissModel);
  out.hiss_vs_real_db = powerRatioDb(hissModel) - powerRatioDb(hissReal);
  out.hiss_cutoff_hz = hissCutoffHz(sampleRate);
  counts.hiss_db = { n_generated: nModel };
  counts.hiss_vs_real_db = { n_real: nReal, n_generated: nModel };
  return out as {
    click_onset_db: number; click_onset_db_real: number; click_jump: number; click_jump_real: number;
    tail_noise_db: number; tail_noise_db_real: number; hiss_db: number; hiss_vs_real_db: number; hiss_cutoff_hz: number;
  };
}

/** A warning for sets too small for means, or none. */
function meansWarning(nReal: number, nModel: number, what: string): MetricWarning[] {
  const small = [nReal < MIN_SAMPLES_FOR_MEANS ? `${nReal} real` : '', nModel < MIN_SAMPLES_FOR_MEANS ? `${nModel} ${what}` : '']
    .filter(Boolean)
    .join(' and ');
  if (!small) return [];
  return [{
    key: '*',
    message: `every mean here rests on ${small} samples (fewer than ${MIN_SAMPLES_FOR_MEANS}: the standard error of a mean of n values is σ/√n)`,
  }];
}

/** Options of evaluateReconstruction. */
export interface ReconstructionOptions {
  /** Where preprocessing put each sample's peak (the onset click score looks before it); default 0. */
  attack?: number;
}

/**
 * Reconstruction metrics of an autoencoder or VAE: recon[i] is the model's output for real[i]. Distances are
 * means over pairs; artifact scores are means over the reconstructions, with the real set's as a reference.
 */
export function evaluateReconstruction(
  real: readonly Float32Array[],
  recon: readonly Float32Array[],
  sampleRate: number,
  options: ReconstructionOptions = {},
): Scored<ReconstructionMetrics> {
  checkSampleRate(sampleRate);
  checkSet(real, 'real set', 1);
  checkSet(recon, 'reconstructions', 1);
  if (real.length !== recon.length) {
    throw new UserError(`reconstructions: ${recon.length} outputs for ${real.length} inputs (must be one per input)`);
  }
  if (real[0]!.length !== recon[0]!.length) {
    throw new UserError(`reconstructions are ${recon[0]!.length} samples long, the real samples ${real[0]!.length}`);
  }
  const attack = options.attack ?? 0;
  checkAttack(attack, real[0]!.length);
  const n = real.length;
  const stft = real.map((x, i) => mrStftDistance(x, recon[i]!));
  const counts: Record<string, MetricCount> = {};
  for (const key of ['mse', 'mr_stft', 'mr_stft_sc', 'mr_stft_logmag', 'lsd_db']) counts[key] = { n_real: n, n_generated: n };
  counts.count = { n_real: n, n_generated: n };
  const metrics: ReconstructionMetrics = {
    count: n,
    mse: mean(real.map((x, i) => mse(x, recon[i]!))),
    mr_stft: mean(stft.map((s) => s.total)),
    mr_stft_sc: mean(stft.map((s) => s.spectralConvergence)),
    mr_stft_logmag: mean(stft.map((s) => s.logMagnitude)),
    lsd_db: mean(real.map((x, i) => logSpectralDistance(x, recon[i]!))),
    ...artifactSummary(artifactScores(real, sampleRate, attack), artifactScores(recon, sampleRate, attack), sampleRate, counts),
  };
  return { metrics, counts, intervals: {}, warnings: meansWarning(n, n, 'reconstructed') };
}

/**
 * The real side of generation metrics, analysed once: feature space and features, per-sample artifact scores.
 * Build it with realReference and score any number of generated sets against it.
 */
export interface RealReference {
  samples: readonly Float32Array[];
  sampleRate: number;
  attack: number;
  space: FeatureSpace;
  features: Float64Array[];
  artifacts: ArtifactScores;
}

/** Analyses the real set for evaluateGeneration (attack: where preprocessing put the peaks; default 0). */
export function realReference(real: readonly Float32Array[], sampleRate: number, options: { attack?: number } = {}): RealReference {
  checkSampleRate(sampleRate);
  checkSet(real, 'real set', 2);
  const attack = options.attack ?? 0;
  checkAttack(attack, real[0]!.length);
  const { space, features } = fitFeatureSpace(real, sampleRate, attack);
  return { samples: real, sampleRate, attack, space, features, artifacts: artifactScores(real, sampleRate, attack) };
}

/** Options of evaluateGeneration. */
export interface GenerationOptions {
  /** NDB bins; default defaultNdbBins(real.length). */
  ndbBins?: number;
  /** Where preprocessing put each sample's peak (features start there; the click score looks before it); default 0. */
  attack?: number;
  /** Bootstrap resamples of the intervals (default BOOTSTRAP_RESAMPLES); 0 reports no intervals. */
  resamples?: number;
}

/**
 * Generation metrics (GAN samples, VAE prior samples, grid decodes) against a real set (the samples, or a
 * realReference of them): Fréchet distance on the features of features.ts; NDB and nearest-neighbour distances
 * on the same features z-scored with the real set's statistics; artifact scores as in evaluateReconstruction.
 * `rng` seeds NDB's k-means++ and then the bootstrap. Intervals: frechet, ndb, ndb_fraction, nn_to_real.
 */
export function evaluateGeneration(
  real: readonly Float32Array[] | RealReference,
  generated: readonly Float32Array[],
  sampleRate: number,
  rng: Rng,
  options: GenerationOptions = {},
): Scored<GenerationMetrics> {
  const ref = 'space' in real ? real : realReference(real, sampleRate, { attack: options.attack });
  if (ref.sampleRate !== sampleRate) throw new UserError(`the real reference is at ${ref.sampleRate} Hz, the generated set at ${sampleRate} Hz`);
  checkSet(generated, 'generated set', 2);
  if (generated[0]!.length !== ref.samples[0]!.length) {
    throw new UserError(`generated samples are ${generated[0]!.length} samples long, the real samples ${ref.samples[0]!.length}`);
  }
  const nReal = ref.samples.length;
  const nGen = generated.length;
  const bins = options.ndbBins ?? defaultNdbBins(nReal);
  if (!Number.isInteger(bins) || bins < 1 || bins > nReal) {
    throw new UserError(`NDB bins must be an integer from 1 to the real set's size (${nReal}), got ${bins}`);
  }
  const realFeatures = ref.features;
  const genFeatures = generated.map((x) => generationFeatures(ref.space, x));
  const z = fitStandardizer(realFeatures);
  const realZ = realFeatures.map(z);
  const genZ = genFeatures.map(z);
  const bins_ = ndb(realZ, genZ, bins, rng);
  // Distances of every generated sample to every real one, once: nn_to_real and its bootstrap read them.
  const toReal = genZ.map((g) => Float64Array.from(realZ, (r) => Math.sqrt(squaredDistance(g, r))));
  const nnToReal = (gi: ArrayLike<number>, ri: ArrayLike<number>): number => {
    let s = 0;
    for (let a = 0; a < gi.length; a++) {
      const row = toReal[gi[a]!]!;
      let best = Infinity;
      for (let b = 0; b < ri.length; b++) best = Math.min(best, row[ri[b]!]!);
      s += best;
    }
    return s / gi.length;
  };
  const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  const both = { n_real: nReal, n_generated: nGen };
  const counts: Record<string, MetricCount> = {
    count_real: { n_real: nReal },
    count_generated: { n_generated: nGen },
    frechet: both,
    ndb: both,
    ndb_fraction: both,
    ndb_bins: { n_real: nReal },
    nn_to_real: both,
    nn_within_generated: { n_generated: nGen },
    nn_within_real: { n_real: nReal },
  };
  const artifacts = artifactSummary(ref.artifacts, artifactScores(generated, sampleRate, ref.attack), sampleRate, counts);
  const metrics: GenerationMetrics = {
    count_real: nReal,
    count_generated: nGen,
    frechet: frechetDistanceOfFeatures(realFeatures, genFeatures),
    ndb: bins_.different,
    ndb_fraction: bins_.fraction,
    ndb_bins: bins_.bins,
    nn_to_real: nnToReal(all(nGen), all(nReal)),
    nn_within_generated: meanNearestDistanceWithin(genZ),
    nn_within_real: meanNearestDistanceWithin(realZ),
    ...artifacts,
  };

  const intervals: Record<string, Interval> = {};
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  if (resamples > 0) {
    const boot = new Rng(rng.seed());
    const sizes = [nReal, nGen];
    const pick = <T>(set: readonly T[], idx: Int32Array): T[] => Array.from(idx, (i) => set[i]!);
    const at = (estimate: number, max = Infinity) => ({ resamples, estimate, min: 0, max });
    intervals.frechet = bootstrapInterval(sizes, ([r, g]) => frechetDistanceOfFeatures(pick(realFeatures, r!), pick(genFeatures, g!)), boot, at(metrics.frechet));
    intervals.ndb = bootstrapInterval(sizes, ([r, g]) => ndbOfAssignments(bins_.realBins, bins_.generatedBins, bins, r, g).different, boot, at(metrics.ndb, bins));
    intervals.ndb_fraction = { low: intervals.ndb.low / bins, high: intervals.ndb.high / bins };
    intervals.nn_to_real = bootstrapInterval(sizes, ([r, g]) => nnToReal(g!, r!), boot, at(metrics.nn_to_real));
  }

  const warnings: MetricWarning[] = [];
  const dim = ref.space.dim;
  if (nReal <= dim || nGen <= dim) {
    warnings.push({
      key: 'frechet',
      message:
        `rests on ${nReal} real and ${nGen} generated samples; a full-rank covariance of the ${dim} features needs more ` +
        `than ${dim} samples in each set, so sampling error dominates the value (read its interval)`,
    });
  }
  const ndbWhy = ndbShortfall(nReal, nGen, bins);
  if (ndbWhy) warnings.push({ key: 'ndb', message: ndbWhy });
  warnings.push(...meansWarning(nReal, nGen, 'generated'));
  return { metrics, counts, intervals, warnings };
}

/** A number for a table cell: integers as they are, others to 4 significant digits, non-finite as "n/a". */
export function formatMetricValue(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/**
 * A markdown table, one row per model, one column per metric key: `columns` in that order, or else the union of
 * all rows' keys in first-seen order; a metric a row lacks shows "n/a". `|` in names is escaped so it cannot
 * break the table.
 */
export function formatMetricsTable(rows: readonly { name: string; metrics: Record<string, number> }[], columns?: readonly string[]): string {
  const keys: string[] = columns ? [...columns] : [];
  const seen = new Set<string>(keys);
  if (!columns) {
    for (const r of rows) {
      for (const k of Object.keys(r.metrics)) {
        if (!seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
      }
    }
  }
  const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const lines = [
    row(['model', ...keys.map(escape)]),
    row(['---', ...keys.map(() => '---:')]),
    ...rows.map((r) => row([escape(r.name), ...keys.map((k) => formatMetricValue(r.metrics[k]))])),
  ];
  return lines.join('\n') + '\n';
}
