import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  AbsLeakyReLU,
  buildWaveGan,
  criticForward,
  phaseShuffle,
  phaseShuffleShifts,
  twiceDifferentiableLeakyRelu,
} from '../../src/models/wavegan';
import { loadModelFromDir, MODEL_JSON, saveModelToDir } from '../../src/export';
import { Rng } from '../../src/util/rng';
import { tempDir } from '../helpers/dataset';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const widthOf = (shape: tf.Shape | tf.Shape[]) => (shape as number[])[2];

describe('buildWaveGan', () => {
  for (const [L, upsample] of [
    [1024, 'transpose'],
    [4096, 'nn'],
  ] as const) {
    test(`generator latent → ${L} samples, critic ${L} samples → one score (d = 2, ${upsample})`, () => {
      const { generator, critic } = buildWaveGan({ latent: 5, length: L, d: 2, upsample, seed: 3 });
      try {
        expect(generator.inputs[0]!.shape).toEqual([null, 5]);
        expect(generator.layers[0]!.getConfig().units).toBe((L / 1024) * 32);
        expect(generator.layers[1]!.outputShape).toEqual([null, 1, L / 1024, 32]);
        const ups = generator.layers.filter((l) => /upconv_\d$/.test(l.name));
        expect(ups.map((l) => l.getConfig().filters)).toEqual([16, 8, 4, 2, 1]);
        expect(ups.map((l) => l.getConfig().activation)).toEqual(['relu', 'relu', 'relu', 'relu', 'tanh']);
        expect(ups.map((l) => widthOf(l.outputShape))).toEqual([4, 16, 64, 256, 1024].map((w) => (w * L) / 1024));
        expect(generator.outputs[0]!.shape).toEqual([null, L]);

        const convs = critic.layers.filter((l) => l.getClassName() === 'Conv2D');
        expect(convs.map((l) => l.getConfig().filters)).toEqual([2, 4, 8, 16, 32]);
        expect(convs.map((l) => widthOf(l.outputShape))).toEqual([256, 64, 16, 4, 1].map((w) => (w * L) / 1024));
        for (const c of convs) expect(c.getConfig()).toMatchObject({ kernelSize: [1, 25], strides: [1, 4], padding: 'same' });
        convs.forEach((c) => expect(critic.layers[critic.layers.indexOf(c) + 1]).toBeInstanceOf(AbsLeakyReLU));
        expect(critic.outputs[0]!.shape).toEqual([null, 1]);

        const z = tf.randomUniform([3, 5], -1, 1, 'float32', 1);
        const x = generator.predict(z) as tf.Tensor;
        expect(x.shape).toEqual([3, L]);
        expect((critic.predict(x) as tf.Tensor).shape).toEqual([3, 1]);
      } finally {
        generator.dispose();
        critic.dispose();
      }
    });
  }

  test('the exported generator loads with stock tf.loadLayersModel (stock classes only) and gives the same output', async () => {
    const { generator, critic } = buildWaveGan({ latent: 4, length: 1024, d: 2, upsample: 'nn', seed: 9 });
    const dir = path.join(tempDir(), 'generator');
    await saveModelToDir(generator, dir);
    const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_JSON), 'utf8'));
    expect(json.modelTopology.class_name).toBe('Sequential');
    const classes = (json.modelTopology.config.layers as { class_name: string }[]).map((l) => l.class_name);
    expect(classes).toEqual(['Dense', 'Reshape', 'ReLU', ...Array(5).fill(['UpSampling2D', 'Conv2D']).flat(), 'Reshape']);
    const loaded = await loadModelFromDir(dir); // tf.loadLayersModel with sampgen's file handler
    const z = tf.randomUniform([2, 4], -1, 1, 'float32', 2);
    expect(Array.from((loaded.predict(z) as tf.Tensor).dataSync())).toEqual(Array.from((generator.predict(z) as tf.Tensor).dataSync()));
    generator.dispose();
    critic.dispose();
    loaded.dispose();
  });
});

describe('twiceDifferentiableLeakyRelu (0.6·x + 0.4·|x|)', () => {
  const xs = tf.tensor1d([-1e3, -3.5, -1, -0.25, -1e-6, 0, 1e-6, 0.25, 1, 3.5, 1e3]);

  test('equals leakyRelu(0.2) to float32 rounding', () => {
    const got = twiceDifferentiableLeakyRelu(xs).dataSync();
    const want = tf.leakyRelu(xs, 0.2).dataSync();
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(4e-7 * Math.abs(want[i]!))); // a few float32 ulps
  });

  test('has leakyRelu’s slope (1 above zero, 0.2 at and below), and a second derivative, which is 0', () => {
    const slope = tf.grad((x: tf.Tensor) => twiceDifferentiableLeakyRelu(x))(xs).dataSync();
    const stockSlope = tf.grad((x: tf.Tensor) => tf.leakyRelu(x, 0.2))(xs).dataSync();
    slope.forEach((v, i) => expect(v).toBeCloseTo(stockSlope[i]!, 6));
    // d/dx (x · f'(x)) = f'(x) + x · f''(x) = f'(x): the slope's own derivative, 0, is not even recorded
    const product = tf.grad((x: tf.Tensor) => tf.mul(x, tf.grad((y: tf.Tensor) => twiceDifferentiableLeakyRelu(y))(x)))(xs);
    expect(Array.from(product.dataSync())).toEqual(Array.from(slope));
    expect(() => tf.grad((x: tf.Tensor) => tf.grad((y: tf.Tensor) => twiceDifferentiableLeakyRelu(y))(x))(xs)).toThrow(/Cannot compute gradient/);
  });

  test('why it exists: tfjs cannot differentiate the stock leakyRelu twice', () => {
    expect(() => tf.grad((x: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.leakyRelu(y, 0.2))(x))(xs)).toThrow(/Greater/);
  });

  test('the layer applies it and keeps the shape', () => {
    const layer = new AbsLeakyReLU({ name: 'act', alpha: 0.2 });
    const x = tf.randomNormal([2, 1, 8, 3], 0, 1, 'float32', 4);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 1, 8, 3]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(twiceDifferentiableLeakyRelu(x).dataSync()));
  });
});

/** out[b][t][c] = x[b][reflect(t − k_b)][c] along the width, written out with an explicit reflected index. */
function manualShift(x: number[][][][], shifts: number[]): number[][][][] {
  return x.map((ex, b) =>
    ex.map((row) =>
      row.map((_, t) => {
        const W = row.length;
        let s = t - shifts[b]!;
        if (s < 0) s = -s;
        if (s > W - 1) s = 2 * (W - 1) - s;
        return row[s]!;
      }),
    ),
  );
}

describe('phaseShuffle', () => {
  const B = 5;
  const W = 9;
  const C = 3;
  const rng = new Rng(11);
  const data = Array.from({ length: B }, () => [Array.from({ length: W }, () => Array.from({ length: C }, () => rng.uniform(-1, 1)))]);

  test('shifts each example by its own amount with reflect padding, keeping the length', () => {
    const x = tf.tensor4d(data);
    for (const shifts of [
      [-2, -1, 0, 1, 2],
      [2, 2, 2, 2, 2],
      [0, 0, 0, 0, 0],
      [-2, 0, -2, 1, 1],
    ]) {
      const y = phaseShuffle(x, shifts, 2);
      expect(y.shape).toEqual([B, 1, W, C]);
      expect(y.arraySync()).toEqual(manualShift(tf.tensor4d(data).arraySync(), shifts));
    }
  });

  test('n = 0 is the identity; shifts outside [−n, n] or n ≥ width are refused', () => {
    const x = tf.tensor4d(data);
    expect(phaseShuffle(x, [0, 0, 0, 0, 0], 0).arraySync()).toEqual(x.arraySync());
    expect(() => phaseShuffle(x, [3, 0, 0, 0, 0], 2)).toThrow(/outside/);
    expect(() => phaseShuffle(x, [0, 0, 0, 0], 2)).toThrow(/4 shifts for a batch of 5/);
    expect(() => phaseShuffle(x, [0, 0, 0, 0, 0], W)).toThrow(/phase_shuffle/);
  });

  test('its gradient routes each output gradient back to the sample it was copied from (reflected parts included)', () => {
    const shifts = [-2, -1, 0, 1, 2];
    const x = tf.tensor4d(data);
    const weights = tf.randomNormal([B, 1, W, C], 0, 1, 'float32', 5);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(phaseShuffle(v as tf.Tensor4D, shifts, 2), weights)))(x);
    const w = weights.arraySync() as number[][][][];
    const want = data.map((ex) => ex.map((row) => row.map((r) => r.map(() => 0))));
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < W; t++) {
        let s = t - shifts[b]!;
        if (s < 0) s = -s;
        if (s > W - 1) s = 2 * (W - 1) - s;
        for (let c = 0; c < C; c++) want[b]![0]![s]![c]! += w[b]![0]![t]![c]!;
      }
    }
    const got = grad.arraySync() as number[][][][];
    got.forEach((ex, b) => ex[0]!.forEach((r, t) => r.forEach((v, c) => expect(v).toBeCloseTo(want[b]![0]![t]![c]!, 5))));
  });

  test('shifts are drawn per layer and example in [−n, n], reproducibly from the seed', () => {
    const a = phaseShuffleShifts(7, 400, 2);
    expect(a).toHaveLength(4);
    const all = a.flatMap((s) => Array.from(s));
    expect(new Set(all)).toEqual(new Set([-2, -1, 0, 1, 2]));
    expect(phaseShuffleShifts(7, 400, 2)).toEqual(a);
    expect(phaseShuffleShifts(8, 400, 2)).not.toEqual(a);
  });
});

describe('criticForward', () => {
  test('its input gradient runs no filter gradient (convolutions with lazy gradients), and equals the layers’ own', async () => {
    const { generator, critic } = buildWaveGan({ latent: 4, length: 1024, d: 2, upsample: 'transpose', seed: 5 });
    const x = tf.randomUniform([2, 1024], -1, 1, 'float32', 6);
    let ours: Float32Array | null = null;
    const profile = await tf.profile(() => {
      ours = tf.grad((v: tf.Tensor) => tf.sum(criticForward(critic, v, null)))(x).dataSync() as Float32Array;
    });
    const kernels = new Set(profile.kernels.map((k) => k.name));
    expect(kernels).toContain('Conv2DBackpropInput');
    expect(kernels).not.toContain('Conv2DBackpropFilter');
    const layers = tf.grad((v: tf.Tensor) => tf.sum(critic.apply(v) as tf.Tensor))(x).dataSync();
    expect(Array.from(ours!)).toEqual(Array.from(layers));
    generator.dispose();
    critic.dispose();
  });

  test('without phase shuffle it is the critic model itself; with it, a seeded shuffle of the four first blocks', () => {
    const { generator, critic } = buildWaveGan({ latent: 4, length: 1024, d: 2, upsample: 'transpose', seed: 4 });
    const x = tf.randomUniform([3, 1024], -1, 1, 'float32', 3);
    const plain = Array.from(criticForward(critic, x, null).dataSync());
    expect(plain).toEqual(Array.from((critic.predict(x) as tf.Tensor).dataSync()));
    expect(Array.from(criticForward(critic, x, { n: 0, seed: 1 }).dataSync())).toEqual(plain);
    const a = Array.from(criticForward(critic, x, { n: 2, seed: 1 }).dataSync());
    expect(Array.from(criticForward(critic, x, { n: 2, seed: 1 }).dataSync())).toEqual(a);
    expect(a).not.toEqual(plain);
    expect(Array.from(criticForward(critic, x, { n: 2, seed: 2 }).dataSync())).not.toEqual(a);
    generator.dispose();
    critic.dispose();
  });
});
