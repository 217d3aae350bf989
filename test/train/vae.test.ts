import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadConfig, resolveConfigObject } from '../../src/config';
import { buildVae } from '../../src/models/vae';
import { klBeta } from '../../src/train/schedules';
import { VaeTrainer } from '../../src/train/vae-trainer';
import { buildTrainer } from '../../src/train/trainers';
import { makeOptimizer } from '../../src/train/optimizer';
import { trainModel } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { MODEL_JSON, readModelMetadata, writeModelFolder } from '../../src/export';
import { Progress, silentProgress } from '../../src/progress';
import { newStopFlag } from '../../src/train/stop';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const LENGTH = 64;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('klBeta: β(step) = factor · min(1, step / ramp)', () => {
  test('follows the linear ramp, then stays at the factor', () => {
    const s = { factor: 0.01, rampSteps: 30000 };
    expect(klBeta(0, s)).toBe(0);
    expect(klBeta(15000, s)).toBeCloseTo(0.005, 15);
    expect(klBeta(7500, s)).toBeCloseTo(0.0025, 15);
    expect(klBeta(30000, s)).toBe(0.01);
    expect(klBeta(30001, s)).toBe(0.01);
    expect(klBeta(1_000_000, s)).toBe(0.01);
  });

  test('ramp 0 means the factor from the first step', () => {
    const s = { factor: 0.001, rampSteps: 0 };
    expect([0, 1, 29999, 30000, 10 ** 6].map((n) => klBeta(n, s))).toEqual([0.001, 0.001, 0.001, 0.001, 0.001]);
  });

  test('rejects nonsense arguments', () => {
    expect(() => klBeta(-1, { factor: 0.01, rampSteps: 10 })).toThrow(/step/);
    expect(() => klBeta(1.5, { factor: 0.01, rampSteps: 10 })).toThrow(/step/);
    expect(() => klBeta(1, { factor: -0.01, rampSteps: 10 })).toThrow(/factor/);
    expect(() => klBeta(1, { factor: 0.01, rampSteps: -3 })).toThrow(/rampSteps/);
  });
});

function makeTrainer(opts: { seed?: number; factor?: number; ramp?: number; loss?: 'mse' | 'mae' } = {}) {
  const parts = buildVae({ size: 'small', activation: 'tanh', latent: 2, length: LENGTH, seed: opts.seed ?? 1, encoderUnits: [16] });
  const trainer = new VaeTrainer(parts.encoder, parts.meanEncoder, parts.decoder, makeOptimizer('adam', 0.01), opts.loss ?? 'mse', {
    factor: opts.factor ?? 0.1,
    rampSteps: opts.ramp ?? 10,
  });
  return { trainer, parts };
}

const batchOf = (count: number, seed = 1) => tf.tensor2d(decayingSines(count, LENGTH, seed).map((r) => Array.from(r)));

describe('VaeTrainer', () => {
  test('a step reports loss = reconstruction + β·KL, each equal to an independent recomputation', () => {
    const { trainer, parts } = makeTrainer({ factor: 0.5, ramp: 10, loss: 'mae' });
    const x = batchOf(5);
    const ctx = { step: 4, seed: 1234 };
    // Recompute the pre-step losses by hand (minimize reports the loss before the update).
    const [mean, logVar] = (parts.encoder.predict(x) as tf.Tensor[]).map((t) => t.arraySync() as number[][]);
    const eps = tf.randomNormal([5, 2], 0, 1, 'float32', ctx.seed).arraySync() as number[][];
    const z = mean!.map((m, i) => m.map((v, d) => v + Math.exp(0.5 * logVar![i]![d]!) * eps[i]![d]!));
    const y = (parts.decoder.predict(tf.tensor2d(z)) as tf.Tensor).arraySync() as number[][];
    const xs = x.arraySync();
    const mae = y.flat().reduce((s, v, k) => s + Math.abs(v - xs.flat()[k]!), 0) / (5 * LENGTH);
    const kl =
      mean!.reduce((s, m, i) => s + m.reduce((t, mu, d) => t - 0.5 * (1 + logVar![i]![d]! - mu * mu - Math.exp(logVar![i]![d]!)), 0), 0) / 5;

    const out = trainer.trainStep(x, ctx);
    expect(Object.keys(out).sort()).toEqual(['beta', 'kl', 'loss', 'reconstruction']);
    expect(out.beta).toBe(0.2); // 0.5 · 4/10
    expect(out.reconstruction).toBeCloseTo(mae, 5);
    expect(out.kl).toBeCloseTo(kl, 5);
    expect(out.loss).toBeCloseTo(mae + 0.2 * kl, 5);
    trainer.dispose();
  });

  test('steps are deterministic in (weights, ctx.seed) and depend on the seed', () => {
    const a = makeTrainer();
    const b = makeTrainer();
    const c = makeTrainer();
    const x = batchOf(6);
    const ra = [0, 1, 2].map((step) => a.trainer.trainStep(x, { step, seed: 100 + step }));
    const rb = [0, 1, 2].map((step) => b.trainer.trainStep(x, { step, seed: 100 + step }));
    const rc = [0, 1, 2].map((step) => c.trainer.trainStep(x, { step, seed: 200 + step }));
    expect(rb).toEqual(ra);
    expect(rc.map((r) => r.loss)).not.toEqual(ra.map((r) => r.loss));
    for (const t of [a, b, c]) t.trainer.dispose();
  });

  test('validation uses the β of the steps done, kept across a checkpoint (extra state)', () => {
    const { trainer } = makeTrainer({ factor: 0.1, ramp: 10 });
    const x = batchOf(4);
    for (let step = 0; step < 3; step++) trainer.trainStep(x, { step, seed: step });
    // The loop passes a batch offset as ctx.step to evaluate; β must come from the training steps (3).
    const v = trainer.evaluate(x, { step: 0, seed: 9 });
    expect(v.beta).toBeCloseTo(0.03, 15);
    expect(v.loss).toBeCloseTo(v.reconstruction! + 0.03 * v.kl!, 6);
    expect(trainer.extraState()).toEqual({ vae_steps_done: 3 });
    const fresh = makeTrainer({ factor: 0.1, ramp: 10 }).trainer;
    fresh.restoreExtraState({ vae_steps_done: 3 });
    expect(fresh.evaluate(x, { step: 0, seed: 9 }).beta).toBeCloseTo(0.03, 15);
    expect(() => fresh.restoreExtraState({})).toThrow(/vae_steps_done/);
    trainer.dispose();
    fresh.dispose();
  });

  test('export → stock tf.loadLayersModel from the written files → the trained mean path and decoder', async () => {
    const { trainer, parts } = makeTrainer();
    const x = batchOf(6);
    for (let step = 0; step < 5; step++) trainer.trainStep(x, { step, seed: step });
    expect(trainer.prior).toBe('normal');
    const dir = path.join(tempDir(), 'model');
    await writeModelFolder(dir, trainer.exportParts(), {
      name: 'vae-test',
      model_type: 'vae',
      sample_rate: 8000,
      length: LENGTH,
      latent: 2,
      latent_bounds: { min: [-3, -3], max: [3, 3] },
      latent_prior: 'normal',
      config_hash: '00000000',
      config: {},
      losses: {},
      epochs: 1,
      preprocess: { channel: 'first', attack: 16, length: LENGTH, sample_rate: 8000 },
    });
    const encoder = await stockLoad(path.join(dir, 'encoder'));
    const decoder = await stockLoad(path.join(dir, 'decoder'));
    expect(encoder.outputs).toHaveLength(1);
    expect(encoder.layers.some((l) => l.name === 'enc_log_var')).toBe(false);

    const trainedMean = (parts.encoder.predict(x) as tf.Tensor[])[0]!;
    const loadedMean = encoder.predict(x) as tf.Tensor;
    expect(Array.from(loadedMean.dataSync())).toEqual(Array.from(trainedMean.dataSync()));
    expect(Array.from(trainer.encode(x).dataSync())).toEqual(Array.from(trainedMean.dataSync()));
    const z = tf.tensor2d([[0, 0], [1.5, -0.5], [-2, 2]]);
    expect(Array.from((decoder.predict(z) as tf.Tensor).dataSync())).toEqual(Array.from((parts.decoder.predict(z) as tf.Tensor).dataSync()));
    trainer.dispose();
  });
});

/** Loads a saved part with stock tf.loadLayersModel from the raw files, without sampgen's reader. */
async function stockLoad(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_JSON), 'utf8'));
  const group = json.weightsManifest[0];
  const bytes = fs.readFileSync(path.join(dir, group.paths[0]));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }));
}

function setup(count = 24) {
  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(count, LENGTH));
  return { root, data };
}

function config(root: string, data: string, train: Record<string, unknown> = {}, vae: Record<string, unknown> = {}) {
  return resolveConfigObject(
    {
      name: 'tiny-vae',
      model: { type: 'vae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH, encoder_units: [16] },
      data: { path: data, validation: 0.25 },
      train: { epochs: 4, batch_size: 6, lr: 0.01, seed: 3, backend: 'cpu', checkpoint_every: 1, log_every: 1, ...train },
      vae: { kl_factor: 0.05, kl_ramp_steps: 8, ...vae },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test config',
  );
}

const losses = (runDir: string) => readLog(runDir).map((r) => [r.epoch, r.step, r.loss, r.reconstruction, r.kl, r.beta, r.val_loss, r.val_kl]);

describe('trainModel (VAE)', () => {
  test('lowers the loss, logs reconstruction, KL and β per epoch, and exports encoder (mean) + decoder', async () => {
    const { root, data } = setup();
    const result = await trainModel({ loaded: config(root, data, { epochs: 12 }), progress: silentProgress });
    expect(result.status).toBe('completed');
    const log = readLog(result.runDir);
    expect(log).toHaveLength(12);
    expect(log.at(-1)!.loss).toBeLessThan(0.8 * log[0]!.loss);
    // 18 training examples in batches of 6: steps 3(e−1) … 3e−1 in epoch e, each weighted equally.
    log.forEach((r, e) => {
      const steps = [0, 1, 2].map((b) => 3 * e + b);
      expect(r.beta).toBeCloseTo(steps.reduce((s, n) => s + klBeta(n, { factor: 0.05, rampSteps: 8 }), 0) / 3, 12);
      expect(r.val_beta).toBeCloseTo(klBeta(r.step, { factor: 0.05, rampSteps: 8 }), 12);
      // Each step's loss is reconstruction + β·KL with β, KL ≥ 0, so the epoch means keep that order.
      expect(r.kl as number).toBeGreaterThanOrEqual(0);
      expect(r.loss).toBeGreaterThanOrEqual(r.reconstruction as number);
      expect(typeof r.val_reconstruction).toBe('number');
    });

    const meta = readModelMetadata(result.modelDir!);
    expect(meta.model_type).toBe('vae');
    expect(meta.latent_prior).toBe('normal');
    expect(meta.parts.sort()).toEqual(['decoder', 'encoder']);
    const encoder = await stockLoad(path.join(result.modelDir!, 'encoder'));
    const got = (encoder.predict(batchOf(24)) as tf.Tensor).arraySync() as number[][];
    got.forEach((p, i) => p.forEach((v, d) => expect(v).toBeCloseTo(meta.latent_points![i]![d]!, 4)));
  });

  test('a run stopped mid-epoch (inside the ramp) and resumed matches an uninterrupted run exactly', async () => {
    const whole = setup();
    const full = await trainModel({ loaded: config(whole.root, whole.data), export: false });

    const parts = setup();
    const stop = newStopFlag();
    const stopper: Progress = {
      ...silentProgress,
      update: (stepsDone) => {
        if (stepsDone === 4) stop.requested = true; // after batch 1 of epoch 2 (step 4 of a ramp of 8)
      },
    };
    const first = await trainModel({ loaded: config(parts.root, parts.data), progress: stopper, stop, export: false });
    expect(first.status).toBe('interrupted');
    const saved = readCheckpointState(first.runDir)!;
    expect(saved.epoch).toBe(1);
    expect(saved.step).toBe(4);
    expect(saved.extra).toEqual({ vae_steps_done: 4 });
    const second = await trainModel({ loaded: config(parts.root, parts.data), resume: true, export: false });
    expect(second.status).toBe('completed');
    expect(losses(second.runDir)).toEqual(losses(full.runDir));
  });
});

describe('shipped VAE configs', () => {
  const CONFIGS = path.resolve(__dirname, '../../configs');
  const factors = { 'vae-a': 0.01, 'vae-b': 0.001, 'vae-c': 0.0001 } as const;
  for (const [name, factor] of Object.entries(factors)) {
    test(`${name} resolves and builds a VAE trainer`, () => {
      const { config } = loadConfig(path.join(CONFIGS, `${name}.yaml`));
      expect(config.model).toMatchObject({ type: 'vae', size: 'medium', activation: 'tanh', latent: 2, length: 17640 });
      expect(config.vae).toEqual({ kl_factor: factor, kl_ramp_steps: 30000 });
      const trainer = buildTrainer(config, 1);
      try {
        expect(trainer).toBeInstanceOf(VaeTrainer);
        expect(trainer.prior).toBe('normal');
        const { encoder, decoder } = trainer.exportParts();
        expect(encoder!.inputs[0]!.shape).toEqual([null, 17640]);
        expect(encoder!.outputs.map((o) => o.shape)).toEqual([[null, 2]]);
        expect(decoder!.outputs[0]!.shape).toEqual([null, 17640]);
        expect(trainer.models.encoder!.outputs).toHaveLength(2);
      } finally {
        trainer.dispose();
      }
    });
  }
});
