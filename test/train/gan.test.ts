import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { loadConfig, resolveConfigObject } from '../../src/config';
import { buildWaveGan, criticForward } from '../../src/models/wavegan';
import { GanTrainer, gradientPenalty, interpolationWeights, uniformLatents } from '../../src/train/gan-trainer';
import { buildTrainer } from '../../src/train/trainers';
import { makeOptimizer } from '../../src/train/optimizer';
import { trainModel } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { deriveSeed } from '../../src/train/seeds';
import { loadModelPart, readModelMetadata } from '../../src/export';
import { readAudioFile } from '../../src/audio';
import { Progress, silentProgress } from '../../src/progress';
import { newStopFlag } from '../../src/train/stop';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const LENGTH = 1024;
const quiet = () => undefined;

/**
 * The maths (penalty, its gradient) is checked on the pure-JS cpu backend. Training runs on wasm, with sampgen's
 * kernel patches: about 25× faster here than cpu, whose Conv2DBackpropFilter is a slow scalar loop, and the
 * backend sampgen trains on when no tfjs-node is installed, so these tests also show that the GAN trains on it.
 */
describe('gradientPenalty: λ · mean (‖∇x̂ D(x̂)‖ − 1)²', () => {
  beforeAll(async () => {
    await initBackend('cpu', quiet);
  });

  const real = tf.tensor2d([
    [0.5, -1, 2],
    [1, 0, -0.5],
  ]);
  const fake = tf.tensor2d([
    [-1, 0.25, 0],
    [0.5, 0.5, 0.5],
  ]);
  const eps = tf.tensor2d([[0.25], [0.75]]);

  test('a linear critic D(x) = w·x + b has ∇ = w everywhere: λ(‖w‖ − 1)²', () => {
    const w = tf.tensor2d([[2], [-1], [2]]); // ‖w‖ = 3
    const gp = gradientPenalty((x) => tf.add(tf.matMul(x, w), 0.7), real, fake, eps, 10).dataSync()[0]!;
    expect(gp).toBeCloseTo(10 * (3 - 1) ** 2, 4);
  });

  test('D(x) = ½‖x‖² has ∇ = x̂ = ε·real + (1 − ε)·fake, per example', () => {
    const gp = gradientPenalty((x) => tf.mul(0.5, tf.sum(tf.square(x), 1, true)), real, fake, eps, 2).dataSync()[0]!;
    const r = real.arraySync();
    const f = fake.arraySync();
    const e = [0.25, 0.75];
    const norms = r.map((row, b) => Math.hypot(...row.map((v, i) => e[b]! * v + (1 - e[b]!) * f[b]![i]!)));
    expect(gp).toBeCloseTo((2 * norms.reduce((s, n) => s + (n - 1) ** 2, 0)) / 2, 4);
  });

  test("its gradient with respect to the WaveGAN critic's weights matches central finite differences (and wasm = cpu)", async () => {
    const { generator, critic } = buildWaveGan({ latent: 4, length: LENGTH, d: 2, upsample: 'transpose', seed: 1 });
    const realX = tf.randomUniform([3, LENGTH], -1, 1, 'float32', 3) as tf.Tensor2D;
    const fakeX = tf.randomUniform([3, LENGTH], -1, 1, 'float32', 4) as tf.Tensor2D;
    const epsilon = interpolationWeights(7, 3);
    const D = (x: tf.Tensor2D) => criticForward(critic, x, { n: 2, seed: 5 });
    const vars = critic.trainableWeights.map((w) => w.read() as tf.Variable);
    // A fresh critic's input gradients are tiny (‖g‖ ≈ 0.02), so P ≈ λ and barely moves; scaling the last layer
    // puts ‖g‖ near 3, where P's gradient is large against float32 rounding of P.
    const last = vars.find((v) => v.name.includes('critic_dense/kernel'))!;
    const norm0 = tf.tidy(() => tf.mean(tf.norm(tf.grad((x: tf.Tensor) => tf.sum(D(x as tf.Tensor2D)))(realX), 'euclidean', 1)).dataSync()[0]!);
    last.assign(tf.mul(last, 3 / norm0));
    const P = () => gradientPenalty(D, realX, fakeX, epsilon, 10);
    const { grads } = tf.variableGrads(P, vars);
    // Small steps: the penalty is piecewise smooth (each activation's slope jumps at 0), and a step that moves a
    // pre-activation across 0 would compare against a different piece.
    const h = 5e-4;
    const checked: string[] = [];
    for (const v of vars.filter((x) => x.name.includes('kernel'))) {
      const direction = tf.tidy(() => {
        const r = tf.randomNormal(v.shape, 0, 1, 'float32', 11);
        return tf.div(r, tf.norm(r));
      });
      const analytic = tf.sum(tf.mul(grads[v.name]!, direction)).dataSync()[0]!;
      const original = v.clone();
      v.assign(tf.add(original, tf.mul(direction, h)));
      const up = P().dataSync()[0]!;
      v.assign(tf.sub(original, tf.mul(direction, h)));
      const down = P().dataSync()[0]!;
      v.assign(original);
      const numeric = (up - down) / (2 * h);
      // Rounding of P (≈ 50) in float32 leaves about 3e-3 of noise in the difference quotient.
      expect(Math.abs(numeric - analytic)).toBeLessThan(1e-2 + 1e-2 * Math.abs(analytic));
      expect(Math.abs(analytic)).toBeGreaterThan(0.1); // the check compares something
      checked.push(v.name);
    }
    expect(checked).toHaveLength(6); // five convolutions and the dense layer

    // The same penalty gradient on wasm, whose conv gradient kernels are sampgen's patches (src/backend).
    // The kernels: the biases reach ∇x D only through the activations' slopes, whose derivative (0) is not recorded
    const withGrad = vars.filter((v) => grads[v.name] !== undefined);
    expect(withGrad.map((v) => v.name).filter((name) => name.includes('kernel'))).toHaveLength(6);
    const onCpu = withGrad.map((v) => grads[v.name]!.dataSync());
    await initBackend('wasm', quiet);
    try {
      const wasm = tf.variableGrads(P, vars).grads;
      withGrad.forEach((v, i) => {
        const got = wasm[v.name]!.dataSync();
        const scale = Math.max(1e-6, ...Array.from(onCpu[i]!, Math.abs));
        got.forEach((g, j) => expect(Math.abs(g - onCpu[i]![j]!)).toBeLessThan(1e-4 * scale));
      });
    } finally {
      await initBackend('cpu', quiet);
    }
    generator.dispose();
    critic.dispose();
  });
});

function makeTrainer(opts: { criticSteps?: number; seed?: number; microBatch?: number } = {}) {
  const parts = buildWaveGan({ latent: 4, length: LENGTH, d: 2, upsample: 'transpose', seed: opts.seed ?? 1 });
  return new GanTrainer({
    ...parts,
    generatorOptimizer: makeOptimizer('adam', 1e-3, 0.5, 0.9),
    criticOptimizer: makeOptimizer('adam', 1e-3, 0.5, 0.9),
    latent: 4,
    phaseShuffle: 2,
    lambdaGp: 10,
    criticSteps: opts.criticSteps ?? 3,
    previewEvery: 1,
    previewCount: 2,
    previewSeed: 99,
    sampleRate: 8000,
    microBatch: opts.microBatch,
  });
}

const realBatch = (count: number, seed = 1) => tf.tensor2d(decayingSines(count, LENGTH, seed).map((r) => Array.from(r)));
const flat = (model: tf.LayersModel) => model.getWeights().flatMap((w) => Array.from(w.dataSync()));

describe('GanTrainer', () => {
  beforeAll(async () => {
    await initBackend('wasm', quiet);
  });

  test('updates the critic every step and the generator after every critic_steps-th step', () => {
    const trainer = makeTrainer({ criticSteps: 3 });
    const batch = realBatch(4);
    const changed: { critic: boolean; generator: boolean }[] = [];
    const tensors: number[] = [];
    for (let step = 0; step < 6; step++) {
      const g0 = flat(trainer.models.generator!);
      const c0 = flat(trainer.models.critic!);
      const losses = trainer.trainStep(batch, { step, seed: deriveSeed(1, 4, step) });
      expect(Object.keys(losses).sort()).toEqual(['critic_loss', 'generator_loss', 'gradient_penalty', 'loss', 'wasserstein']);
      expect(losses.critic_loss).toBe(losses.loss);
      expect(losses.loss).toBeCloseTo(losses.gradient_penalty! - losses.wasserstein!, 5);
      expect(losses.gradient_penalty).toBeGreaterThan(0);
      changed.push({
        critic: flat(trainer.models.critic!).some((v, i) => v !== c0[i]),
        generator: flat(trainer.models.generator!).some((v, i) => v !== g0[i]),
      });
      tensors.push(tf.memory().numTensors);
    }
    // No tensor leaks from a step (the generator's Adam slots appear at its first update, step 2).
    expect(tensors[5]).toBe(tensors[2]);
    expect(tensors[4]).toBe(tensors[3]);
    expect(changed.map((c) => c.critic)).toEqual([true, true, true, true, true, true]);
    expect(changed.map((c) => c.generator)).toEqual([false, false, true, false, false, true]);
    trainer.dispose();
  });

  test('steps are reproducible from (weights, step seed); evaluate is seeded and changes nothing', () => {
    const a = makeTrainer();
    const b = makeTrainer();
    const batch = realBatch(4);
    for (let step = 0; step < 3; step++) {
      const ctx = { step, seed: deriveSeed(2, 4, step) };
      expect(a.trainStep(batch, ctx)).toEqual(b.trainStep(batch, ctx));
    }
    const before = flat(a.models.critic!).concat(flat(a.models.generator!));
    const e1 = a.evaluate(batch, { step: 0, seed: 5 });
    expect(a.evaluate(batch, { step: 0, seed: 5 })).toEqual(e1);
    expect(a.evaluate(batch, { step: 0, seed: 6 })).not.toEqual(e1);
    expect(flat(a.models.critic!).concat(flat(a.models.generator!))).toEqual(before);
    expect(e1.loss).toBeCloseTo(e1.gradient_penalty! - e1.wasserstein!, 5);
    a.dispose();
    b.dispose();
  });

  test('a batch in parts (micro_batch) makes the update of the whole batch at once, and leaks nothing', () => {
    const whole = makeTrainer({ criticSteps: 2 });
    const parts = makeTrainer({ criticSteps: 2, microBatch: 2 }); // 5 examples: parts of 2, 2, 1
    const batch = realBatch(5);
    const close = (a: number[], b: number[]) => {
      const scale = Math.max(...b.map(Math.abs));
      expect(Math.max(...a.map((v, i) => Math.abs(v - b[i]!)))).toBeLessThanOrEqual(1e-4 * scale);
    };
    const tensors: number[] = [];
    for (let step = 0; step < 4; step++) {
      const ctx = { step, seed: deriveSeed(3, 4, step) };
      const a = whole.trainStep(batch, ctx);
      const b = parts.trainStep(batch, ctx);
      close(Object.values(b), Object.values(a));
      tensors.push(tf.memory().numTensors);
    }
    expect(tensors[3]).toBe(tensors[1]); // both generators have their Adam slots after step 1
    close(flat(parts.models.critic!), flat(whole.models.critic!));
    close(flat(parts.models.generator!), flat(whole.models.generator!));
    const untrained = makeTrainer({ criticSteps: 2 });
    expect(flat(parts.models.generator!)).not.toEqual(flat(untrained.models.generator!)); // it was updated
    untrained.dispose();
    const ea = whole.evaluate(batch, { step: 0, seed: 8 });
    const eb = parts.evaluate(batch, { step: 0, seed: 8 });
    close(Object.values(eb), Object.values(ea));
    whole.dispose();
    parts.dispose();
  });

  test('previews: due every preview_every generator updates, from fixed latents, written as float32 WAVs', async () => {
    const trainer = makeTrainer({ criticSteps: 2 });
    expect([1, 2, 3, 4, 5, 6].map((s) => trainer.previewDue(s))).toEqual([false, true, false, true, false, true]);
    const z1 = trainer.previewLatents();
    trainer.trainStep(realBatch(4), { step: 0, seed: 1 });
    trainer.trainStep(realBatch(4), { step: 1, seed: 2 });
    expect(Array.from(trainer.previewLatents().dataSync())).toEqual(Array.from(z1.dataSync()));
    const z = z1.arraySync();
    expect(z).toHaveLength(2);
    expect(z.flat().every((v) => v >= -1 && v < 1)).toBe(true);

    const runDir = tempDir();
    await trainer.onStep(1, runDir);
    expect(fs.existsSync(path.join(runDir, 'previews'))).toBe(false);
    await trainer.onStep(2, runDir);
    const dir = path.join(runDir, 'previews', 'step-2');
    expect(fs.readdirSync(dir).sort()).toEqual(['preview-0.wav', 'preview-1.wav']);
    const expected = (trainer.models.generator!.predict(z1) as tf.Tensor).arraySync() as number[][];
    for (let i = 0; i < 2; i++) {
      const wav = await readAudioFile(path.join(dir, `preview-${i}.wav`));
      expect(wav.sampleRate).toBe(8000);
      expect(Array.from(wav.channels[0]!)).toEqual(expected[i]!.map(Math.fround));
    }
    trainer.dispose();
  });

  test('uniformLatents draws U[−1, 1) reproducibly from its seed', () => {
    const a = Array.from(uniformLatents(3, 500, 4).dataSync());
    expect(Array.from(uniformLatents(3, 500, 4).dataSync())).toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a)).toBeLessThan(1);
    expect(Math.abs(a.reduce((s, v) => s + v, 0) / a.length)).toBeLessThan(0.05);
  });
});

function setup(count = 16) {
  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(count, LENGTH));
  return { root, data };
}

function config(root: string, data: string, train: Record<string, unknown> = {}, gan: Record<string, unknown> = {}) {
  return resolveConfigObject(
    {
      name: 'tinygan',
      model: { type: 'gan', latent: 8, length: LENGTH, d: 2, upsample: 'transpose', phase_shuffle: 2 },
      data: { path: data, validation: 0.25 },
      train: { epochs: 3, batch_size: 4, lr: 1e-3, beta1: 0.5, beta2: 0.9, seed: 3, backend: 'wasm', checkpoint_every: 1, log_every: 1, ...train },
      gan: { lambda_gp: 10, critic_steps: 2, preview_every: 1, preview_count: 2, ...gan },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test config',
  );
}

const GAN_KEYS = ['loss', 'critic_loss', 'generator_loss', 'gradient_penalty', 'wasserstein'];
const losses = (runDir: string) => readLog(runDir).map((r) => [r.epoch, r.step, ...GAN_KEYS.map((k) => r[k]), r.val_loss, r.val_wasserstein]);

describe('trainModel (WaveGAN)', () => {
  test("raises the critic's Wasserstein estimate, logs every GAN loss, writes previews and exports the generator", async () => {
    const { root, data } = setup();
    const loaded = config(root, data, { epochs: 4 });
    const result = await trainModel({ loaded, progress: silentProgress });
    expect(result.status).toBe('completed');
    const log = readLog(result.runDir);
    expect(log).toHaveLength(4);
    for (const r of log) for (const k of [...GAN_KEYS, 'val_loss', 'val_wasserstein', 'val_gradient_penalty']) expect(Number.isFinite(r[k])).toBe(true);
    expect(log.at(-1)!.wasserstein).toBeGreaterThan(log[0]!.wasserstein as number);
    expect(log.at(-1)!.critic_loss).toBeLessThan(log[0]!.critic_loss as number);

    // 12 training examples, batch 4: 3 steps per epoch, 12 steps, a generator update every 2nd, a preview each time.
    expect(fs.readdirSync(path.join(result.runDir, 'previews')).sort()).toEqual(['step-10', 'step-12', 'step-2', 'step-4', 'step-6', 'step-8']);

    const meta = readModelMetadata(result.modelDir!);
    expect(meta).toMatchObject({ model_type: 'gan', latent: 8, length: LENGTH, latent_prior: 'uniform', parts: ['generator'] });
    expect(meta.latent_bounds).toEqual({ min: Array(8).fill(-1), max: Array(8).fill(1) });
    // The exported generator (stock load) reproduces the last preview, made by the final generator.
    const generator = await loadModelPart(result.modelDir!, 'generator');
    const trainer = buildTrainer(loaded.config, 0) as GanTrainer;
    const z = trainer.previewLatents();
    trainer.dispose();
    const out = (generator.predict(z) as tf.Tensor).arraySync() as number[][];
    const wav = await readAudioFile(path.join(result.runDir, 'previews', 'step-12', 'preview-1.wav'));
    expect(Array.from(wav.channels[0]!)).toEqual(out[1]!.map(Math.fround));
  });

  test('a run stopped mid-epoch and resumed matches an uninterrupted run exactly', async () => {
    const whole = setup();
    const full = await trainModel({ loaded: config(whole.root, whole.data), export: false });

    const parts = setup();
    const stop = newStopFlag();
    const stopper: Progress = {
      ...silentProgress,
      update: (stepsDone) => {
        if (stepsDone === 4) stop.requested = true; // after step 4: inside epoch 2, just after a generator update
      },
    };
    const first = await trainModel({ loaded: config(parts.root, parts.data), progress: stopper, stop, export: false });
    expect(first.status).toBe('interrupted');
    const saved = readCheckpointState(first.runDir)!;
    expect(saved).toMatchObject({ epoch: 1, batchInEpoch: 1, step: 4 });
    const second = await trainModel({ loaded: config(parts.root, parts.data), resume: true, export: false });
    expect(second.status).toBe('completed');
    expect(losses(second.runDir)).toEqual(losses(full.runDir));
    const preview = (dir: string) => fs.readFileSync(path.join(dir, 'previews', 'step-8', 'preview-0.wav'));
    expect(preview(second.runDir)).toEqual(preview(full.runDir));
  });
});

describe('shipped configs', () => {
  const CONFIGS = path.resolve(__dirname, '../../configs');

  test('gan.yaml builds WaveGAN at 16384 samples with a 100-d uniform latent', () => {
    const { config: c } = loadConfig(path.join(CONFIGS, 'gan.yaml'));
    const trainer = buildTrainer(c, 1, { sampleRate: 44100 });
    try {
      expect(trainer).toBeInstanceOf(GanTrainer);
      expect(trainer.prior).toBe('uniform');
      const { generator } = trainer.exportParts();
      expect(generator!.inputs[0]!.shape).toEqual([null, 100]);
      expect(generator!.outputs[0]!.shape).toEqual([null, 16384]);
      expect(trainer.models.critic!.outputs[0]!.shape).toEqual([null, 1]);
      expect(Object.keys(trainer.optimizers).sort()).toEqual(['critic', 'generator']);
    } finally {
      trainer.dispose();
    }
  });

  test('conv-ae.yaml builds the convolutional autoencoder (2-d latent)', () => {
    const { config: c } = loadConfig(path.join(CONFIGS, 'conv-ae.yaml'));
    const trainer = buildTrainer(c, 1);
    try {
      expect(trainer.prior).toBeNull();
      const { encoder, decoder } = trainer.exportParts();
      expect(encoder!.inputs[0]!.shape).toEqual([null, 16384]);
      expect(encoder!.outputs[0]!.shape).toEqual([null, 2]);
      expect(decoder!.outputs[0]!.shape).toEqual([null, 16384]);
    } finally {
      trainer.dispose();
    }
  });
});
