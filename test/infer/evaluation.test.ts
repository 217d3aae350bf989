import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { openDataset, trainingSplit } from '../../src/data';
import { describeRows, evaluateModel, metricsMarkdown, ModelEvaluation, parseSplit } from '../../src/infer/evaluate';
import { latentMap } from '../../src/infer/latent-map';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';
import { fakeModel } from './fake-model';
import { userErrorOf } from '../helpers/errors';

const LENGTH = 64;
const RATE = 8000;
const ATTACK = LENGTH / 4; // writeTestDataset's attack
let root: string;
let dataDir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = tempDir();
  dataDir = writeTestDataset(path.join(root, 'data'), decayingSines(40, LENGTH), RATE);
});


function withDataset<T>(dir: string, use: (d: ReturnType<typeof openDataset>) => T): T {
  const dataset = openDataset(dir);
  try {
    return use(dataset);
  } finally {
    dataset.close();
  }
}

const base = { maxSamples: 500, generated: 12, grid: 3, seed: 1, resamples: 20 };

describe('evaluate: what the numbers rest on', () => {
  const model = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK });

  test('--split val uses the training run\'s validation rows and says how many, per metric', () => {
    const e = withDataset(dataDir, (dataset) => evaluateModel({ ...base, model, dataset, datasetPath: dataDir, split: 'validation' }));
    const expectedRows = trainingSplit(40, 0.25, 1).validation.length;
    expect(e.count).toBe(expectedRows);
    expect([e.split_rows, e.dataset_rows]).toEqual([expectedRows, 40]);
    expect(describeRows(e)).toBe(`fake: validation split of ${path.resolve(dataDir)}: ${expectedRows} rows of 40`);
    expect(e.counts.recon_mse).toEqual({ n_real: expectedRows, n_generated: expectedRows });
    expect(e.counts.gen_frechet).toEqual({ n_real: expectedRows, n_generated: 12 });
    expect(e.counts.gen_grid_frechet).toEqual({ n_real: expectedRows, n_generated: 9 });
    expect(e.counts.smoothness).toEqual({ n_generated: 9 });
    // every metric says what it rests on, except the hiss cutoff (a frequency, not a measurement)
    expect(Object.keys(e.metrics).filter((k) => !e.counts[k])).toEqual(['recon_hiss_cutoff_hz', 'gen_grid_hiss_cutoff_hz', 'gen_hiss_cutoff_hz']);
    const interval = e.intervals.gen_frechet!;
    expect(interval.low).toBeLessThanOrEqual(e.metrics.gen_frechet!);
    expect(interval.high).toBeGreaterThanOrEqual(e.metrics.gen_frechet!);
    expect(e.bootstrap.resamples).toBe(20);
    // 10 real samples: too few for a 64-feature covariance, for NDB, and for means
    expect(e.warnings.filter((w) => /^gen_frechet: rests on 10 real and 12 generated/.test(w))).toHaveLength(1);
    expect(e.warnings.some((w) => w.startsWith('gen_ndb: NDB with 2 bin(s) rests on 10 real'))).toBe(true);
    expect(e.warnings.some((w) => w.startsWith('recon_*: every mean here rests on 10 real'))).toBe(true);
    expect(JSON.parse(JSON.stringify(e))).toEqual(e); // every number finite: JSON keeps them all
  });

  test('--max-samples takes a seeded subset of the split, and says so', () => {
    const e = withDataset(dataDir, (dataset) => evaluateModel({ ...base, maxSamples: 15, resamples: 0, model, dataset, datasetPath: dataDir, split: 'all' }));
    expect([e.count, e.split_rows]).toEqual([15, 40]);
    expect(describeRows(e)).toMatch(/all split of .*: 15 rows \(a seeded subset of the split's 40\) of 40$/);
    expect(e.intervals).toEqual({});
  });

  test('a held-out dataset is used whole; the training dataset itself is refused, overlapping files are reported', async () => {
    const heldOut = writeTestDataset(path.join(root, 'held-out'), decayingSines(12, LENGTH, 7), RATE);
    const info = JSON.parse(fs.readFileSync(path.join(heldOut, 'dataset.json'), 'utf8'));
    const trainingInfo = JSON.parse(fs.readFileSync(path.join(dataDir, 'dataset.json'), 'utf8'));
    const trainRow = trainingSplit(40, 0.25, 1).train[0]!;
    trainingInfo.files.forEach((f: { sha256: string }, i: number) => (f.sha256 = i.toString(16).padStart(64, 'a')));
    info.files.forEach((f: { sha256: string }, i: number) => (f.sha256 = i.toString(16).padStart(64, 'b')));
    info.files[5].sha256 = trainingInfo.files[trainRow].sha256; // one file the model trained on
    const other = path.join(root, 'data-hashed');
    fs.cpSync(dataDir, other, { recursive: true });
    fs.writeFileSync(path.join(other, 'dataset.json'), JSON.stringify(trainingInfo));
    fs.writeFileSync(path.join(heldOut, 'dataset.json'), JSON.stringify(info));

    const trained = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK, trainingDataset: other });
    const warnings: string[] = [];
    const e = withDataset(heldOut, (dataset) =>
      evaluateModel({ ...base, resamples: 0, model: trained, dataset, datasetPath: heldOut, split: 'held-out', warn: (m) => warnings.push(m) }),
    );
    expect([e.split, e.count, e.split_rows]).toEqual(['held-out', 12, 12]);
    expect(describeRows(e)).toBe(`fake: held-out dataset ${path.resolve(heldOut)}, used whole: 12 rows of 12`);
    expect(warnings).toEqual([expect.stringMatching(/^1 of 12 rows of held-out dataset .* come from files model fake trained on .*hit-5\.wav$/)]);

    const err = await userErrorOf(() =>
      withDataset(other, (dataset) => evaluateModel({ ...base, model: trained, dataset, datasetPath: other, split: 'held-out' })),
    );
    expect(err.message).toMatch(/is the dataset model fake was trained on.*--split val\|train\|all/);
  });

  test('a dataset row holding NaN is refused, naming the dataset, the row and its source file', async () => {
    const rows = decayingSines(8, LENGTH, 3);
    rows[5]![3] = NaN;
    const bad = writeTestDataset(path.join(root, 'nan'), rows, RATE);
    const err = await userErrorOf(() => withDataset(bad, (dataset) => evaluateModel({ ...base, model, dataset, datasetPath: bad, split: 'all' })));
    expect(err.message).toBe(`dataset ${bad}: row 5 (hit-5.wav) holds NaN at sample 3; metrics and encoders need finite audio (preprocess the source again, or remove it)`);
  });

  test('a dataset whose attack is elsewhere than the model\'s is refused', async () => {
    const shifted = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK + 1 });
    const err = await userErrorOf(() => withDataset(dataDir, (dataset) => evaluateModel({ ...base, model: shifted, dataset, datasetPath: dataDir, split: 'all' })));
    expect(err.message).toMatch(new RegExp(`attack at sample ${ATTACK}, model fake at sample ${ATTACK + 1}`));
  });

  test('--generated above the cap is refused before anything is decoded', async () => {
    const err = await userErrorOf(() => withDataset(dataDir, (dataset) => evaluateModel({ ...base, generated: 1e9, model, dataset, datasetPath: dataDir, split: 'all' })));
    expect(err.message).toBe('--generated 1000000000: expected an integer from 2 to 10000');
  });

  test('--split accepts val, validation, train and all', async () => {
    expect(['val', 'validation', 'train', 'all'].map(parseSplit)).toEqual(['validation', 'validation', 'train', 'all']);
    expect((await userErrorOf(() => parseSplit('test'))).message).toMatch(/val .*train or all/);
  });
});

describe('latent map on broken input', () => {
  test('NaN latents from the encoder name the model folder', async () => {
    const broken = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK, encoderConstant: NaN, dir: 'models/broken-vae' });
    const err = await userErrorOf(() => withDataset(dataDir, (dataset) => latentMap({ model: broken, dataset, datasetPath: dataDir, color: 'none' })));
    expect(err.message).toMatch(/^model models\/broken-vae: its encoder outputs \(latent points\) are not finite \(NaN or Infinity\) for 40 of 40, first row 0 \(hit-0\.wav\)/);
  });

  test('a NaN dataset row names the dataset and the row, not the model', async () => {
    const rows = decayingSines(6, LENGTH, 4);
    rows[2]![10] = Infinity;
    const bad = writeTestDataset(path.join(root, 'inf'), rows, RATE);
    const model = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK });
    const err = await userErrorOf(() => withDataset(bad, (dataset) => latentMap({ model, dataset, datasetPath: bad, color: 'none' })));
    expect(err.message).toMatch(/^dataset .*inf: row 2 \(hit-2\.wav\) holds Infinity at sample 10/);
  });

  test('the plotted extent spans the 1–99th percentiles by default and counts the points outside', () => {
    const model = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK });
    const [p, m] = withDataset(dataDir, (dataset) => [
      latentMap({ model, dataset, datasetPath: dataDir, color: 'none' }),
      latentMap({ model, dataset, datasetPath: dataDir, color: 'none', bounds: { kind: 'minmax' } }),
    ]);
    expect(p!.extent.bounds).toBe('p1-99');
    expect(m!.extent.outside).toBe(0);
    // 40 points: the 1st and 99th percentiles lie inside the extremes, so at least the extremes are outside
    expect(p!.extent.outside).toBeGreaterThanOrEqual(2);
    expect(p!.extent.x[1] - p!.extent.x[0]).toBeLessThan(m!.extent.x[1] - m!.extent.x[0]);
  });
});

describe('metricsMarkdown', () => {
  const evaluation = (name: string, metrics: Record<string, number>, n = 8): ModelEvaluation => ({
    name, model_type: 'dense-ae', config_hash: 'x', run: null, dataset: 'd', split: 'validation', count: n, split_rows: n, dataset_rows: 79, metrics,
    counts: Object.fromEntries(Object.keys(metrics).map((k) => [k, k.startsWith('gen_') ? { n_real: n, n_generated: 200 } : { n_real: n, n_generated: n }])),
    intervals: 'gen_frechet' in metrics ? { gen_frechet: { low: 1, high: 5.5 } } : {},
    bootstrap: { resamples: 200, level: 0.95, method: 'm' },
    bounds: { min: [0], max: [1], requested: 'p1-99', bounds: 'p1-99', points: 10, fallback: null },
    warnings: [],
    conditioning: null,
    classes: null,
    classes_skipped: null,
  });
  const evals = [evaluation('a', { gen_ndb: 1, recon_count: 2, gen_frechet: 3, recon_mse: 4 }), evaluation('b', { smoothness: 0.5, gen_frechet: 6 })];
  const table = (md: string) => md.trim().split('\n').map((line) => line.split('|').slice(1, -1).map((c) => c.trim()));

  test('one row per metric with its counts, headline metrics first, intervals beside set-level values', () => {
    const t = table(metricsMarkdown(evals));
    expect(t[0]).toEqual(['metric', 'n_real', 'n_generated', 'a', 'b']);
    expect(t.slice(2).map((r) => r[0])).toEqual(['recon_mse', 'smoothness', 'gen_frechet', 'gen_ndb', 'recon_count']);
    expect(t[4]).toEqual(['gen_frechet', '8', '200', '3 [1, 5.5]', '6 [1, 5.5]']);
    expect(t[2]).toEqual(['recon_mse', '8', '8', '4', 'n/a']);
  });

  test('with headline, keeps only the headline metrics; different counts show per value', () => {
    const t = table(metricsMarkdown([evals[0]!, evaluation('c', { gen_frechet: 6 }, 9)], { headline: true }));
    expect(t.map((r) => r[0])).toEqual(['metric', '---', 'recon_mse', 'gen_frechet']);
    expect(t[3]).toEqual(['gen_frechet', 'varies', 'varies', '3 [1, 5.5] (n 8/200)', '6 [1, 5.5] (n 9/200)']);
  });
});
