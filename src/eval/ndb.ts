/**
 * NDB, the number of statistically different bins (Richardson & Weiss, "On GANs and GMMs", 2018): bin the real
 * set with k-means, drop the generated samples into the same bins, and count the bins whose proportions differ
 * by a two-proportion z-test. A generator that covers only some modes leaves bins empty and fills others.
 */
import type { Rng } from '../util/rng';
import { kMeans, nearestCentroid } from './kmeans';

/** Two-sided critical value of the standard normal at α = 0.05 (Φ⁻¹(0.975)). */
export const NDB_Z_CRITICAL = 1.959963984540054;

export interface NdbResult {
  /** k, the number of bins. */
  bins: number;
  /** Bins whose real and generated proportions differ significantly (α = 0.05, two-sided). */
  different: number;
  /** different / bins. */
  fraction: number;
  /** Per bin: real count, generated count and z statistic (0 where both proportions are 0 or 1). */
  perBin: { real: number; generated: number; z: number }[];
  /** The bin of every real and every generated sample (what a bootstrap resamples, with the bins fixed). */
  realBins: Int32Array;
  generatedBins: Int32Array;
}

/**
 * Per bin j with real count r_j of N_r and generated count g_j of N_g: p̂ = (r_j + g_j)/(N_r + N_g),
 * z_j = (g_j/N_g − r_j/N_r) / sqrt(p̂(1 − p̂)(1/N_r + 1/N_g)); bin j is different when |z_j| > 1.96.
 * Bins are k-means++ clusters of `real` (seeded from `rng`); pass features already standardised.
 */
export function ndb(
  real: readonly ArrayLike<number>[],
  generated: readonly ArrayLike<number>[],
  bins: number,
  rng: Rng,
): NdbResult {
  if (generated.length === 0) throw new RangeError('ndb: the generated set is empty');
  const { centroids, assignments } = kMeans(real, bins, rng);
  const realBins = Int32Array.from(assignments);
  const generatedBins = Int32Array.from(generated, (g) => nearestCentroid(g, centroids));
  return { ...ndbOfAssignments(realBins, generatedBins, bins), realBins, generatedBins };
}

/**
 * The z-tests of NDB on given bin assignments (`realBins[i]`, `generatedBins[j]` in 0..bins−1), optionally of
 * a resample: only the listed indices count (each as often as it is listed).
 */
export function ndbOfAssignments(
  realBins: Int32Array,
  generatedBins: Int32Array,
  bins: number,
  realIndices?: ArrayLike<number>,
  generatedIndices?: ArrayLike<number>,
): Omit<NdbResult, 'realBins' | 'generatedBins'> {
  const realCounts = new Int32Array(bins);
  const genCounts = new Int32Array(bins);
  if (realIndices) for (let i = 0; i < realIndices.length; i++) realCounts[realBins[realIndices[i]!]!]!++;
  else for (const a of realBins) realCounts[a]!++;
  if (generatedIndices) for (let i = 0; i < generatedIndices.length; i++) genCounts[generatedBins[generatedIndices[i]!]!]!++;
  else for (const a of generatedBins) genCounts[a]!++;
  const nr = realIndices ? realIndices.length : realBins.length;
  const ng = generatedIndices ? generatedIndices.length : generatedBins.length;
  let different = 0;
  const perBin: NdbResult['perBin'] = [];
  for (let j = 0; j < bins; j++) {
    const r = realCounts[j]!;
    const g = genCounts[j]!;
    const pooled = (r + g) / (nr + ng);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / nr + 1 / ng));
    const z = se > 0 ? (g / ng - r / nr) / se : 0;
    if (Math.abs(z) > NDB_Z_CRITICAL) different++;
    perBin.push({ real: r, generated: g, z });
  }
  return { bins, different, fraction: different / bins, perBin };
}

/**
 * Default bin count for a real set of n samples: at least 10 real samples per bin (⌊n/10⌋ bins, so that the
 * default meets NDB_MIN_REAL_PER_BIN) so that the z-test has counts to work with, between 2 and 50 (the NDB
 * paper used 100 bins on tens of thousands of images).
 */
export function defaultNdbBins(n: number): number {
  return Math.max(2, Math.min(50, Math.floor(n / 10), n));
}

/**
 * What NDB needs to say something (docs/metrics.md): at least NDB_MIN_BINS bins of NDB_MIN_REAL_PER_BIN real
 * samples each (so 50 real samples), and on average NDB_MIN_GENERATED_PER_BIN generated samples per bin (the
 * usual "expected count ≥ 5" condition of the normal approximation behind the z-test).
 */
export const NDB_MIN_BINS = 5;
export const NDB_MIN_REAL_PER_BIN = 10;
export const NDB_MIN_GENERATED_PER_BIN = 5;

/** Why NDB on these set sizes cannot be trusted, or null when the sizes meet the rule above. */
export function ndbShortfall(realCount: number, generatedCount: number, bins: number): string | null {
  const needReal = NDB_MIN_REAL_PER_BIN * Math.max(bins, NDB_MIN_BINS);
  const needGenerated = NDB_MIN_GENERATED_PER_BIN * bins;
  if (realCount >= needReal && generatedCount >= needGenerated) return null;
  return (
    `NDB with ${bins} bin(s) rests on ${realCount} real and ${generatedCount} generated samples; it needs ` +
    `at least ${NDB_MIN_BINS} bins of ${NDB_MIN_REAL_PER_BIN} real samples (${needReal} real) and ` +
    `${NDB_MIN_GENERATED_PER_BIN} generated samples per bin (${needGenerated} generated)`
  );
}
