/**
 * train.init_from (issue 12): a fresh run starts from a model folder's or a run's trained weights, shapes checked,
 * networks matched by name (what a model folder does not hold starts fresh), and a resumed run keeps its own.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { trainModel } from '../../src/train/run';
import { buildTrainer } from '../../src/train/trainers';
import { initFrom } from '../../src/train/init-from';
import { readLog } from '../../src/train/log';
import { loadModelPart } from '../../src/export';
import { Progress, silentProgress } from '../../src/progress';
import { newStopFlag } from '../../src/train/stop';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const LENGTH = 64;

function config(root: string, data: string, model: Record<string, unknown> = {}, train: Record<string, unknown> = {}, name = 'tiny') {
  return resolveConfigObject(
    {
      name,
      model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH, ...model },
      data: { path: data, validation: 0.25 },
      train: { epochs: 3, batch_size: 6, lr: 0.01, seed: 3, backend: 'cpu', checkpoint_every: 1, log_every: 1, ...train },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test config',
  );
}

const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

/** One trained source run (dense AE, exported), shared by the tests. */
let source: { root: string; data: string; runDir: string; modelDir: string };
beforeAll(async () => {
  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(24, LENGTH));
  const result = await trainModel({ loaded: config(root, data, {}, { epochs: 6 }, 'source') });
  source = { root, data, runDir: result.runDir, modelDir: result.modelDir! };
});

test('from a model folder: every exported part sets the network of its name; the line names the weights sha256', async () => {
  const trainer = buildTrainer(config(source.root, source.data, {}, { seed: 9 }).config, 123);
  try {
    const { line, source: recorded } = await initFrom(trainer, source.modelDir);
    expect(recorded).toEqual({
      path: source.modelDir,
      kind: 'model',
      weights_sha256: { 'decoder/weights.bin': expect.stringMatching(/^[0-9a-f]{64}$/), 'encoder/weights.bin': expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(line).toContain(recorded.weights_sha256['decoder/weights.bin']);
    for (const part of ['encoder', 'decoder']) {
      const exported = await loadModelPart(source.modelDir, part);
      expect(values(trainer.models[part]!)).toEqual(values(exported));
      exported.dispose();
    }
    expect(line).toMatch(/model folder .*\(dense-ae; decoder\/weights.bin sha256 [0-9a-f]{64}, encoder\/weights.bin sha256 [0-9a-f]{64}\): initialised encoder, decoder$/);
  } finally {
    trainer.dispose();
  }
});

test('from a run folder: its best checkpoint (what it exported), every network', async () => {
  const trainer = buildTrainer(config(source.root, source.data).config, 123);
  try {
    const { line, source: recorded } = await initFrom(trainer, source.runDir);
    expect(recorded).toEqual({ path: source.runDir, kind: 'run', weights_sha256: { 'checkpoints/best/weights.bin': expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const exported = await loadModelPart(source.modelDir, 'decoder');
    expect(values(trainer.models.decoder!)).toEqual(values(exported));
    exported.dispose();
    expect(line).toMatch(/run .*, its best checkpoint \(epoch \d, weights.bin sha256 [0-9a-f]{64}\): initialised encoder, decoder$/);
  } finally {
    trainer.dispose();
  }
});

test('another architecture is refused naming the source and the first weight that does not fit', async () => {
  const trainer = buildTrainer(config(source.root, source.data, { latent: 3 }).config, 1);
  try {
    await expect(initFrom(trainer, source.modelDir)).rejects.toThrow(
      /train.init_from: .*\(part decoder, a dense-ae model\) does not fit the model built from the config: weight 0 \(.*kernel\) has shape \[2, \d+\] there, \[3, \d+\] here/,
    );
    await expect(initFrom(trainer, source.runDir)).rejects.toThrow(/checkpoints\/best \(network encoder\) does not fit .* weight \d+ .*has shape/);
    await expect(initFrom(trainer, source.data)).rejects.toThrow(/is neither a model folder .* nor a run folder/);
    await expect(initFrom(trainer, path.join(source.root, 'nope'))).rejects.toThrow(/nope does not exist/);
  } finally {
    trainer.dispose();
  }
});

test('a VAE from a VAE model folder: the exported mean encoder sets its layers, the log-variance head starts fresh', async () => {
  const vae = { type: 'vae', size: 'small', activation: 'tanh' };
  const trained = await trainModel({ loaded: config(source.root, source.data, vae, { epochs: 1 }, 'vae') });
  const trainer = buildTrainer(config(source.root, source.data, vae).config, 77);
  try {
    const { line } = await initFrom(trainer, trained.modelDir!);
    expect(line).toMatch(/\(vae; .*\): initialised decoder, encoder \(\d+ of \d+ weights; the rest fresh\)$/);
  } finally {
    trainer.dispose();
  }
});

test('train: a fresh run starts from the weights, resume keeps its checkpoint\'s, and the path is in the run hash', async () => {
  const fresh = await trainModel({ loaded: config(source.root, source.data, {}, { epochs: 2 }, 'tuned'), export: false });
  const lines: string[] = [];
  const progress: Progress = { ...silentProgress, log: (m) => lines.push(m) };
  const loaded = config(source.root, source.data, {}, { epochs: 2, init_from: source.modelDir }, 'tuned');
  const tuned = await trainModel({ loaded, export: false, progress });
  expect(tuned.runDir).not.toBe(fresh.runDir);
  expect(lines.join('\n')).toMatch(/train.init_from: model folder .*initialised encoder, decoder/);
  // The source's weights are part of the run's provenance, not only of a log line that scrolls away.
  const provenance = fs.readFileSync(path.join(tuned.runDir, 'provenance.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(provenance[0].init_from).toMatchObject({ path: source.modelDir, kind: 'model', weights_sha256: { 'encoder/weights.bin': expect.stringMatching(/^[0-9a-f]{64}$/) } });
  // Started from 6 trained epochs: its first epoch is already better than a fresh run's.
  expect(readLog(tuned.runDir)[0]!.loss).toBeLessThan(readLog(fresh.runDir)[0]!.loss);

  // Stopped mid-run, the source removed: resume continues from the checkpoint, exactly as an uninterrupted run.
  const root = tempDir();
  const copy = path.join(root, 'source-model');
  fs.cpSync(source.modelDir, copy, { recursive: true });
  const again = (extra: Record<string, unknown> = {}) => config(root, source.data, {}, { epochs: 2, init_from: copy, ...extra }, 'tuned');
  const stop = newStopFlag();
  let updates = 0;
  const stopper: Progress = { ...silentProgress, update: () => void (++updates === 4 && (stop.requested = true)) };
  const first = await trainModel({ loaded: again(), progress: stopper, stop, export: false });
  expect(first.status).toBe('interrupted');
  fs.rmSync(copy, { recursive: true });
  const resumedLines: string[] = [];
  const second = await trainModel({ loaded: again(), resume: true, export: false, progress: { ...silentProgress, log: (m) => resumedLines.push(m) } });
  expect(second.status).toBe('completed');
  expect(resumedLines.join('\n')).toMatch(/is not read: the run continues from its checkpoint's weights/);
  const sessions = fs.readFileSync(path.join(second.runDir, 'provenance.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(sessions.map((p) => p.init_from?.kind ?? null)).toEqual(['model', null]); // the resumed session read no source
  expect(readLog(second.runDir).map((r) => [r.loss, r.val_loss])).toEqual(readLog(tuned.runDir).map((r) => [r.loss, r.val_loss]));
});
