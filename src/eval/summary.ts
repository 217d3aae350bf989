/**
 * Set-level summaries: every metric of a model in one flat object of numbers with stable snake_case keys (the
 * contents of metrics.json), and a markdown table that compares models row by row.
 */
import { UserError } from '../errors';
import type { Rng } from '../util/rng';
import { highFrequencyRatio, hissCutoffHz, maxDiscontinuity, onsetClickDb, powerRatioDb, tailNoiseDb } from './artifacts';
import { frechetDistanceOfFeatures } from './frechet';
import { logMelStatistics } from './mel';
import { defaultNdbBins, ndb } from './ndb';
import { meanNearestDistance, meanNearestDistanceWithin } from './neighbours';
import { logSpectralDistance, mrStftDistance, mse } from './reconstruction';
import { fitStandardizer } from './vectors';

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
  });
}

function checkSampleRate(sampleRate: number): void {
  if (!(Number.isFinite(sampleRate) && sampleRate > 0)) {
    throw new UserError(`sample rate must be a positive number, got ${sampleRate}`);
  }
}

/** Artifact means of the evaluated set, the same for the real set as a reference, and hiss relative to real. */
function artifactSummary(real: readonly Float32Array[], model: readonly Float32Array[], sampleRate: number) {
  const cutoff = hissCutoffHz(sampleRate);
  const hissModel = mean(model.map((x) => highFrequencyRatio(x, sampleRate, cutoff)));
  const hissReal = mean(real.map((x) => highFrequencyRatio(x, sampleRate, cutoff)));
  return {
    click_onset_db: mean(model.map((x) => onsetClickDb(x, sampleRate))),
    click_onset_db_real: mean(real.map((x) => onsetClickDb(x, sampleRate))),
    click_jump: mean(model.map((x) => maxDiscontinuity(x, sampleRate).score)),
    click_jump_real: mean(real.map((x) => maxDiscontinuity(x, sampleRate).score)),
    tail_noise_db: mean(model.map((x) => tailNoiseDb(x))),
    tail_noise_db_real: mean(real.map((x) => tailNoiseDb(x))),
    hiss_db: powerRatioDb(hissModel),
    hiss_vs_real_db: powerRatioDb(hissModel) - powerRatioDb(hissReal),
    hiss_cutoff_hz: cutoff,
  };
}

/**
 * Reconstruction metrics of an autoencoder or VAE: recon[i] is the model's output for real[i]. Distances are
 * means over pairs; artifact scores are means over the reconstructions, with the real set's as a reference.
 */
export function evaluateReconstruction(
  real: readonly Float32Array[],
  recon: readonly Float32Array[],
  sampleRate: number,
): ReconstructionMetrics {
  checkSampleRate(sampleRate);
  checkSet(real, 'real set', 1);
  checkSet(recon, 'reconstructions', 1);
  if (real.length !== recon.length) {
    throw new UserError(`reconstructions: ${recon.length} outputs for ${real.length} inputs (must be one per input)`);
  }
  if (real[0]!.length !== recon[0]!.length) {
    throw new UserError(`reconstructions are ${recon[0]!.length} samples long, the real samples ${real[0]!.length}`);
  }
  const stft = real.map((x, i) => mrStftDistance(x, recon[i]!));
  return {
    count: real.length,
    mse: mean(real.map((x, i) => mse(x, recon[i]!))),
    mr_stft: mean(stft.map((s) => s.total)),
    mr_stft_sc: mean(stft.map((s) => s.spectralConvergence)),
    mr_stft_logmag: mean(stft.map((s) => s.logMagnitude)),
    lsd_db: mean(real.map((x, i) => logSpectralDistance(x, recon[i]!))),
    ...artifactSummary(real, recon, sampleRate),
  };
}

/** Options of evaluateGeneration. */
export interface GenerationOptions {
  /** NDB bins; default defaultNdbBins(real.length). */
  ndbBins?: number;
}

/**
 * Generation metrics (GAN samples, VAE prior samples, grid decodes) against a real set: Fréchet distance on raw
 * log-mel statistics; NDB and nearest-neighbour distances on the same features z-scored with the real set's
 * statistics; artifact scores as in evaluateReconstruction. `rng` seeds NDB's k-means++.
 */
export function evaluateGeneration(
  real: readonly Float32Array[],
  generated: readonly Float32Array[],
  sampleRate: number,
  rng: Rng,
  options: GenerationOptions = {},
): GenerationMetrics {
  checkSampleRate(sampleRate);
  checkSet(real, 'real set', 2);
  checkSet(generated, 'generated set', 2);
  const bins = options.ndbBins ?? defaultNdbBins(real.length);
  if (!Number.isInteger(bins) || bins < 1 || bins > real.length) {
    throw new UserError(`NDB bins must be an integer from 1 to the real set's size (${real.length}), got ${bins}`);
  }
  const realFeatures = real.map((x) => logMelStatistics(x, sampleRate));
  const genFeatures = generated.map((x) => logMelStatistics(x, sampleRate));
  const z = fitStandardizer(realFeatures);
  const realZ = realFeatures.map(z);
  const genZ = genFeatures.map(z);
  const bins_ = ndb(realZ, genZ, bins, rng);
  return {
    count_real: real.length,
    count_generated: generated.length,
    frechet: frechetDistanceOfFeatures(realFeatures, genFeatures),
    ndb: bins_.different,
    ndb_fraction: bins_.fraction,
    ndb_bins: bins_.bins,
    nn_to_real: meanNearestDistance(genZ, realZ),
    nn_within_generated: meanNearestDistanceWithin(genZ),
    nn_within_real: meanNearestDistanceWithin(realZ),
    ...artifactSummary(real, generated, sampleRate),
  };
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
