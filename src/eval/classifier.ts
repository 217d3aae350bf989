/**
 * The independent drum-class classifier of `evaluate` (issue 13): does a conditional model generate the class it
 * was asked for? A model cannot be its own judge, so the judge is a plain k-nearest-neighbour classifier on
 * log-mel statistics, fitted to the real rows of the dataset and scored on real rows it did not see; its accuracy
 * there says how far its verdicts on generated samples can be trusted. Also the rank correlation that says whether
 * the generated level follows the requested velocity. Pure functions, no network, no TF.js.
 */
import { fitFeatureSpace, FeatureSpace, generationFeatures, GENERATION_FEATURES } from './features';

/**
 * k = 5 neighbours, majority vote. Why kNN and not a nearest centroid: a drum class is rarely one cluster in
 * timbre (open and closed hats, rimshots among snares, a 'perc' class of cowbells and shakers), and one centroid
 * per class sits between its modes; five neighbours follow the modes while still outvoting a single mislabelled
 * neighbour. With fewer than five training rows, k is their number.
 */
export const KNN_K = 5;

/** What the classifier is, in words, for reports. */
export const CLASSIFIER_METHOD =
  `k-nearest neighbours (k = ${KNN_K}, majority vote, ties to the nearer class) on standardised log-mel statistics ` +
  `from the attack (${GENERATION_FEATURES.bands} mel bands: each band's mean level relative to the sample's mean over bands, ` +
  'and its standard deviation over frames)';

/**
 * The class features of one sample in a fitted feature space: the generation features' per-band log-mel means
 * with the sample's own mean over bands subtracted (its spectral shape), then the per-band deviations over frames.
 * The overall level is left out on purpose: a class is a timbre, and level is what velocity controls; a
 * classifier that read level would credit or blame a model's velocity for its class (quiet kicks called hats).
 */
export function classFeatures(space: FeatureSpace, x: ArrayLike<number>): Float64Array {
  const f = generationFeatures(space, x);
  const bands = f.length / 2;
  let mean = 0;
  for (let b = 0; b < bands; b++) mean += f[b]!;
  mean /= bands;
  for (let b = 0; b < bands; b++) f[b]! -= mean;
  return f;
}

/** A fitted kNN classifier: the training vectors standardised with their own mean and deviation. */
export interface KnnClassifier {
  /** The classes it can answer, sorted as given by the first appearance in the training labels. */
  classes: string[];
  k: number;
  mean: Float64Array;
  /** 1 / standard deviation per dimension (1 where a dimension is constant in the training set). */
  invScale: Float64Array;
  vectors: Float64Array[];
  /** Index into `classes` of each training vector. */
  labels: Int32Array;
}

/** Fits kNN on feature vectors and their labels (at least one vector; k is capped at their number). */
export function fitKnn(features: readonly ArrayLike<number>[], labels: readonly string[], k = KNN_K): KnnClassifier {
  if (features.length === 0) throw new RangeError('fitKnn: no training vectors');
  if (features.length !== labels.length) throw new RangeError(`fitKnn: ${features.length} vectors, ${labels.length} labels`);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`fitKnn: k must be a positive integer, got ${k}`);
  const dim = features[0]!.length;
  const mean = new Float64Array(dim);
  for (const f of features) {
    if (f.length !== dim) throw new RangeError(`fitKnn: vectors of ${f.length} and ${dim} values`);
    for (let i = 0; i < dim; i++) mean[i]! += f[i]!;
  }
  for (let i = 0; i < dim; i++) mean[i]! /= features.length;
  const invScale = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    let v = 0;
    for (const f of features) v += (f[i]! - mean[i]!) ** 2;
    const sd = Math.sqrt(v / features.length);
    // A constant dimension carries no information among the training rows; left unscaled it adds the same
    // distance to every neighbour of a query, so it cannot change a vote.
    invScale[i] = sd > 0 ? 1 / sd : 1;
  }
  const classes: string[] = [];
  const index = new Map<string, number>();
  const labelIndex = Int32Array.from(labels, (l) => {
    if (!index.has(l)) {
      index.set(l, classes.length);
      classes.push(l);
    }
    return index.get(l)!;
  });
  const vectors = features.map((f) => standardise(f, mean, invScale));
  return { classes, k: Math.min(k, features.length), mean, invScale, vectors, labels: labelIndex };
}

function standardise(f: ArrayLike<number>, mean: Float64Array, invScale: Float64Array): Float64Array {
  const out = new Float64Array(mean.length);
  for (let i = 0; i < mean.length; i++) out[i] = (f[i]! - mean[i]!) * invScale[i]!;
  return out;
}

/**
 * The class of one feature vector: the most common label among its k nearest training vectors (Euclidean, in the
 * standardised space); a tied vote goes to the tied class with the smaller summed distance of its neighbours
 * (the nearer one), then to the class listed first.
 */
export function predictKnn(c: KnnClassifier, feature: ArrayLike<number>): string {
  if (feature.length !== c.mean.length) throw new RangeError(`predictKnn: a vector of ${feature.length} values, the classifier takes ${c.mean.length}`);
  const q = standardise(feature, c.mean, c.invScale);
  // The k smallest distances, kept sorted by insertion (k is 5: a heap would not pay).
  const bestDist: number[] = [];
  const bestLabel: number[] = [];
  for (let j = 0; j < c.vectors.length; j++) {
    const v = c.vectors[j]!;
    let d = 0;
    for (let i = 0; i < q.length; i++) d += (q[i]! - v[i]!) ** 2;
    if (bestDist.length === c.k && d >= bestDist[c.k - 1]!) continue;
    let at = bestDist.length;
    while (at > 0 && bestDist[at - 1]! > d) at--;
    bestDist.splice(at, 0, d);
    bestLabel.splice(at, 0, c.labels[j]!);
    if (bestDist.length > c.k) {
      bestDist.pop();
      bestLabel.pop();
    }
  }
  const votes = new Float64Array(c.classes.length);
  const spread = new Float64Array(c.classes.length);
  bestLabel.forEach((l, i) => {
    votes[l]! += 1;
    spread[l]! += Math.sqrt(bestDist[i]!);
  });
  let winner = 0;
  for (let l = 1; l < c.classes.length; l++) {
    if (votes[l]! > votes[winner]! || (votes[l] === votes[winner] && votes[l]! > 0 && spread[l]! < spread[winner]!)) winner = l;
  }
  return c.classes[winner]!;
}

/** A classifier of audio samples: the feature space fitted on its training rows, and kNN on their class features. */
export interface SampleClassifier {
  space: FeatureSpace;
  knn: KnnClassifier;
}

/**
 * Fits the sample classifier on real rows and their classes: the log-mel floor from these rows (as the generation
 * metrics fit theirs on the real set), then kNN on their class features.
 */
export function fitSampleClassifier(rows: readonly Float32Array[], labels: readonly string[], sampleRate: number, attack: number, k = KNN_K): SampleClassifier {
  const { space } = fitFeatureSpace(rows, sampleRate, attack);
  return { space, knn: fitKnn(rows.map((r) => classFeatures(space, r)), labels, k) };
}

export function classifySample(c: SampleClassifier, x: ArrayLike<number>): string {
  return predictKnn(c.knn, classFeatures(c.space, x));
}

/**
 * Ranks 1…n of the values, tied values sharing the mean of the ranks they span (x = [5, 1, 5] → [2.5, 1, 2.5]):
 * the ranks Spearman's coefficient is defined on when there are ties.
 */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: x.length }, (_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Float64Array(x.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && x[order[end]!] === x[order[start]!]) end++;
    const rank = (start + 1 + end) / 2; // the mean of ranks start+1 … end
    for (let i = start; i < end; i++) ranks[order[i]!] = rank;
    start = end;
  }
  return ranks;
}

/**
 * Spearman's rank correlation: the Pearson correlation of the average ranks (so ties count as scipy.stats.spearmanr
 * counts them). NaN when either side is constant (no order to follow) or has fewer than 2 values. Written here
 * because the npm statistics packages rank ties arbitrarily, which biases the coefficient on quantised levels.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new RangeError(`spearman: ${x.length} and ${y.length} values`);
  if (x.length < 2) return NaN;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) || Number.isNaN(y[i]!)) throw new RangeError(`spearman: NaN at ${i}`);
  }
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const mean = (x.length + 1) / 2; // ranks 1…n average (n + 1)/2, ties or not
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = rx[i]! - mean;
    const b = ry[i]! - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}
