import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { trainModel, exportRun } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { loadModelPart, readModelMetadata } from '../../src/export';
import { Progress, silentProgress } from '../../src/progress';
import { newStopFlag } from '../../src/train/stop';
import { isRuntimeFailure, isUserError } from '../../src/errors';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const LENGTH = 64;

function setup(count = 24) {
  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(count, LENGTH));
  return { root, data };
}

function config(root: string, data: string, sets: string[] = [], train: Record<string, unknown> = {}) {
  return resolveConfigObject(
    {
      name: 'tiny',
      model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
      data: { path: data, validation: 0.25 },
      train: { epochs: 4, batch_size: 6, lr: 0.01, seed: 3, backend: 'cpu', checkpoint_every: 1, log_every: 1, ...train },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test config',
    sets,
  );
}

const losses = (runDir: string) => readLog(runDir).map((r) => [r.epoch, r.step, r.loss, r.val_loss]);

describe('trainModel (dense autoencoder)', () => {
  test('lowers the loss, logs every epoch and exports a model whose encoder reproduces the recorded latents', async () => {
    const { root, data } = setup();
    const result = await trainModel({ loaded: config(root, data, [], { epochs: 12 }), progress: silentProgress });
    expect(result.status).toBe('completed');
    const log = readLog(result.runDir);
    expect(log.map((r) => r.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(log.at(-1)!.loss).toBeLessThan(0.8 * log[0]!.loss);
    expect(log.every((r) => typeof r.val_loss === 'number' && r.samples_per_s > 0)).toBe(true);
    expect(fs.existsSync(path.join(result.runDir, 'config.yaml'))).toBe(true);

    const meta = readModelMetadata(result.modelDir!);
    expect(meta.model_type).toBe('dense-ae');
    expect(meta.length).toBe(LENGTH);
    expect(meta.sample_rate).toBe(8000);
    expect(meta.parts.sort()).toEqual(['decoder', 'encoder']);
    const encoder = await loadModelPart(result.modelDir!, 'encoder');
    const rows = decayingSines(24, LENGTH);
    const z = encoder.predict(tf.tensor2d(rows.map((r) => Array.from(r)))) as tf.Tensor;
    const got = z.arraySync() as number[][];
    got.forEach((p, i) => p.forEach((v, d) => expect(v).toBeCloseTo(meta.latent_points![i]![d]!, 4)));
    for (let d = 0; d < 2; d++) {
      expect(Math.min(...got.map((p) => p[d]!))).toBeCloseTo(meta.latent_bounds.min[d]!, 4);
      expect(Math.max(...got.map((p) => p[d]!))).toBeCloseTo(meta.latent_bounds.max[d]!, 4);
    }
  });

  test('the same seed gives the same losses; another seed does not', async () => {
    const a = setup();
    const b = setup();
    const c = setup();
    const ra = await trainModel({ loaded: config(a.root, a.data), export: false });
    const rb = await trainModel({ loaded: config(b.root, b.data), export: false });
    const rc = await trainModel({ loaded: config(c.root, c.data, ['train.seed=4']), export: false });
    expect(losses(rb.runDir)).toEqual(losses(ra.runDir));
    expect(losses(rc.runDir)).not.toEqual(losses(ra.runDir));
  });

  test('a run stopped mid-epoch and resumed matches an uninterrupted run exactly', async () => {
    const whole = setup();
    const full = await trainModel({ loaded: config(whole.root, whole.data), export: false });

    const parts = setup();
    const stop = newStopFlag();
    let updates = 0;
    const stopper: Progress = {
      ...silentProgress,
      update: () => {
        if (++updates === 6) stop.requested = true; // inside epoch 2 (3 batches per epoch)
      },
    };
    const first = await trainModel({ loaded: config(parts.root, parts.data), progress: stopper, stop, export: false });
    expect(first.status).toBe('interrupted');
    const saved = readCheckpointState(first.runDir)!;
    expect(saved.epoch).toBe(1);
    expect(saved.batchInEpoch).toBeGreaterThan(0);
    const second = await trainModel({ loaded: config(parts.root, parts.data), resume: true, export: false });
    expect(second.status).toBe('completed');
    expect(losses(second.runDir)).toEqual(losses(full.runDir));
  });

  test('refuses to overwrite a run with a checkpoint unless --resume or --force', async () => {
    const { root, data } = setup();
    await trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false });
    await expect(trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false })).rejects.toThrow(/--resume.*--force/);
    const again = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), force: true, export: false });
    expect(readLog(again.runDir)).toHaveLength(1);
  });

  test('a NaN loss stops training with a clear message and keeps the last good checkpoint', async () => {
    const { root, data } = setup();
    const stop = newStopFlag();
    let updates = 0;
    const stopAfterEpoch2: Progress = {
      ...silentProgress,
      update: () => {
        if (++updates === 2 * 4) stop.requested = true; // start + 3 batch updates per epoch
      },
    };
    const first = await trainModel({ loaded: config(root, data), progress: stopAfterEpoch2, stop, export: false });
    const before = readCheckpointState(first.runDir)!;
    expect(before.epoch).toBe(2);
    const checkpointBytes = fs.readFileSync(path.join(first.runDir, 'checkpoints', 'latest', 'weights.bin'));
    // Poison the data: squares of 1e20 overflow float32, so the very next loss is Inf.
    const poisoned = new Float32Array(24 * LENGTH).fill(1e20);
    fs.writeFileSync(path.join(data, 'samples.f32'), Buffer.from(poisoned.buffer));
    let error: unknown;
    try {
      await trainModel({ loaded: config(root, data), resume: true, export: false });
    } catch (err) {
      error = err;
    }
    expect(isRuntimeFailure(error)).toBe(true);
    expect((error as Error).message).toMatch(/diverged at epoch 3.*loss is (Infinity|NaN).*last good checkpoint \(epoch 2/);
    expect(readCheckpointState(first.runDir)).toEqual(before);
    expect(fs.readFileSync(path.join(first.runDir, 'checkpoints', 'latest', 'weights.bin'))).toEqual(checkpointBytes);
  });

  test('export <run> writes the model folder from the latest checkpoint', async () => {
    const { root, data } = setup();
    const result = await trainModel({ loaded: config(root, data, [], { epochs: 2 }), export: false });
    expect(result.modelDir).toBeNull();
    const dir = await exportRun(result.runDir);
    const meta = readModelMetadata(dir);
    expect(meta.epochs).toBe(2);
    expect(meta.losses.loss).toBeCloseTo(readLog(result.runDir).at(-1)!.loss, 10);
  });

  test('export <run> from another working folder finds the dataset and writes the model where training would have', async () => {
    const { root } = setup();
    const started = process.cwd();
    let runDir: string;
    try {
      process.chdir(root);
      const relative = resolveConfigObject(
        {
          name: 'tiny-relative',
          model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
          data: { path: 'data', validation: 0.25 },
          train: { epochs: 2, batch_size: 6, seed: 3, backend: 'cpu' },
          output: { runs: 'runs', models: 'models' },
        },
        'test config',
      );
      runDir = path.resolve((await trainModel({ loaded: relative, export: false })).runDir);
      process.chdir(tempDir());
      const dir = await exportRun(runDir);
      // The run's own folder, named like the run folder, and the stable name linked to it.
      expect(path.resolve(dir)).toBe(path.join(fs.realpathSync(root), 'models', path.basename(runDir)));
      expect(fs.readlinkSync(path.join(root, 'models', 'tiny-relative'))).toBe(path.basename(runDir));
      expect(readModelMetadata(dir).epochs).toBe(2);
    } finally {
      process.chdir(started);
    }
  });

  test('bad datasets fail before any training with errors that name the problem', async () => {
    const { root, data } = setup();
    const mismatch = config(root, data, [`model.length=${LENGTH * 2}`]);
    await expect(trainModel({ loaded: mismatch })).rejects.toThrow(new RegExp(`length ${LENGTH}.*model.length = ${LENGTH * 2}`));
    const missing = config(root, path.join(root, 'nope'));
    const err = await trainModel({ loaded: missing }).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toContain(path.join(root, 'nope'));
    expect(fs.existsSync(path.join(root, 'runs'))).toBe(false);
  });
});
