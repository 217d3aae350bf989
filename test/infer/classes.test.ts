/**
 * Drum classes in latent-map (--color class) and evaluate (the class evaluation of a model not conditioned on
 * class: the baseline of issue 13), on fixed-weight models so that nothing trains.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { openDataset } from '../../src/data';
import { classesMarkdown, evaluateModel } from '../../src/infer/evaluate';
import { latentMap } from '../../src/infer/latent-map';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';
import { userErrorOf } from '../helpers/errors';
import { fakeModel } from './fake-model';

const LENGTH = 64;
const RATE = 8000;
const ATTACK = LENGTH / 4;
/** Row classes in no particular order, so that the legend's order is sampgen's, not the rows'. */
const CLASSES = ['snare', 'hat-closed', 'kick', 'snare', 'snare', 'kick', 'hat-closed', 'snare', 'kick', 'snare', 'hat-closed', 'kick'];

let root: string;
const model = fakeModel({ length: LENGTH, sampleRate: RATE, attack: ATTACK });

function withDataset<T>(dir: string, use: (d: ReturnType<typeof openDataset>) => T): T {
  const dataset = openDataset(dir);
  try {
    return use(dataset);
  } finally {
    dataset.close();
  }
}

function labelled(name: string, classes: string[], source = 'name'): string {
  const dir = writeTestDataset(path.join(root, name), decayingSines(classes.length, LENGTH, 5), RATE, { classes, levels: classes.map((_, i) => -20 + i) });
  if (source !== 'name') {
    const file = path.join(dir, 'dataset.json');
    const info = JSON.parse(fs.readFileSync(file, 'utf8'));
    info.labels.source = source;
    fs.writeFileSync(file, JSON.stringify(info));
  }
  return dir;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = tempDir();
});

describe('latent-map --color class', () => {
  test('a legend of the classes in sampgen’s order with their row counts; the points stay in row order', () => {
    const dir = labelled('labelled', CLASSES);
    const [byClass, plain] = withDataset(dir, (dataset) => [
      latentMap({ model, dataset, datasetPath: dir, color: 'class' }),
      latentMap({ model, dataset, datasetPath: dir, color: 'none' }),
    ]);
    expect(byClass.legend).toEqual({
      title: 'Drum class',
      entries: [
        { label: 'kick (4)', category: 'kick', count: 4 },
        { label: 'snare (5)', category: 'snare', count: 5 },
        { label: 'hat-closed (3)', category: 'hat-closed', count: 3 },
      ],
    });
    expect(plain.legend).toBeNull();
    expect(byClass.points).toEqual(plain.points);
    expect(Buffer.from(byClass.png.subarray(1, 4)).toString()).toBe('PNG');
  });

  test('a dataset without classes is a UserError that says why and what to do', async () => {
    const unlabelled = writeTestDataset(path.join(root, 'unlabelled'), decayingSines(6, LENGTH, 2), RATE);
    const err = await userErrorOf(() => withDataset(unlabelled, (dataset) => latentMap({ model, dataset, datasetPath: unlabelled, color: 'class' })));
    expect(err.message).toMatch(/^--color class: dataset .*unlabelled has no drum classes \(dataset format 1, row 0 hit-0\.wav has none.*\); preprocess the sources with --labels .*--color folder/);
    const unknown = labelled('unknown', ['unknown', 'unknown', 'unknown'], 'none');
    const err2 = await userErrorOf(() => withDataset(unknown, (dataset) => latentMap({ model, dataset, datasetPath: unknown, color: 'class' })));
    expect(err2.message).toMatch(/--color class: dataset .*unknown has no drum classes: every row is 'unknown' \(labels: none\)/);
  });
});

describe('evaluate on a labelled dataset, model not conditioned on class (the baseline)', () => {
  test('the classifier reports its held-out accuracy with counts; the model gets a class distribution, no accuracy, velocity not applicable', () => {
    const classes = Array.from({ length: 36 }, (_, i) => ['kick', 'snare', 'hat-closed', 'unknown'][i % 4]!);
    const dir = labelled('baseline', classes);
    const e = withDataset(dir, (dataset) => evaluateModel({ model, dataset, datasetPath: dir, split: 'all', maxSamples: 500, generated: 12, grid: 3, seed: 1, resamples: 0 }));
    expect(e.classes_skipped).toBeNull();
    const c = e.classes!;
    // 9 rows per known class, 'unknown' left out; 25% of each class held out: round(2.25) = 2 rows each.
    expect(c.classifier.classes).toEqual(['kick', 'snare', 'hat-closed']);
    expect(c.classifier.per_class.map((p) => [p.class, p.train, p.test])).toEqual([['kick', 7, 2], ['snare', 7, 2], ['hat-closed', 7, 2]]);
    expect(c.classifier.left_out).toEqual({ unknown: 9, beyond_max_samples: 0 });
    expect(e.counts.class_real_accuracy).toEqual({ n_real: 6 });
    expect(e.counts['class_real_accuracy:kick']).toEqual({ n_real: 2 });
    expect(e.metrics.class_real_accuracy).toBe(c.classifier.accuracy);
    expect(c.requested).toBeNull();
    expect(c.distribution!.n).toBe(12);
    const shares = Object.values(c.distribution!.generated);
    expect(shares.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(c.distribution!.real).toEqual({ kick: 1 / 3, snare: 1 / 3, 'hat-closed': 1 / 3 });
    for (const k of ['kick', 'snare', 'hat-closed']) expect(e.counts[`class_gen_fraction:${k}`]).toEqual({ n_generated: 12 });
    expect(Object.keys(e.metrics).filter((k) => k.startsWith('class_gen_accuracy') || k.startsWith('velocity_spearman'))).toEqual([]);
    expect(c.velocity).toEqual({ spearman: null, n: 0, note: 'not applicable: model fake is not conditioned on velocity' });
    expect(e.warnings).toContain('class_real_accuracy: rests on 6 held-out real rows (fewer than 20: a proportion moves in steps of 1/n)');
    const md = classesMarkdown([e]);
    expect(md).toMatch(/^Classifier: k-nearest neighbours \(k = 5.*21 rows fitted, 6 held out; accuracy on the held-out real rows .* \(n 6\)\. 9 'unknown' rows left out\./);
    expect(md).toContain('| class | real: held-out accuracy | real: share of rows | fake |');
    expect(md).toMatch(/\| kick \| [0-9.]+ \(n 2\) \| 0\.3333 \| share [0-9.]+ \(n 12\) \|/);
    expect(md).toMatch(/\| \*\*all\*\* \| [0-9.]+ \(n 6\) \| 1 \| no class requested; ρ n\/a \|/);
  });

  test('a dataset without classes: no class evaluation, and the reason', () => {
    const dir = writeTestDataset(path.join(root, 'plain'), decayingSines(10, LENGTH, 3), RATE);
    const e = withDataset(dir, (dataset) => evaluateModel({ model, dataset, datasetPath: dir, split: 'all', maxSamples: 500, generated: 4, grid: 2, seed: 1, resamples: 0 }));
    expect(e.classes).toBeNull();
    expect(e.classes_skipped).toMatch(/has no drum classes \(dataset format 1/);
    expect(classesMarkdown([e])).toMatch(/^No class evaluation: dataset .* has no drum classes/);
  });
});
