import * as tf from '@tensorflow/tfjs';
import {
  buildConvAutoencoder,
  decoderChannels,
  downsampleLayers,
  encoderChannels,
  LENGTH_UNIT,
  Upsample,
  upsampleConv,
} from '../../src/models/conv';
import { isUserError } from '../../src/errors';
import { Rng } from '../../src/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const widthOf = (shape: tf.Shape | tf.Shape[]) => (shape as number[])[2];

/** Direct 1-D convolution, stride s, TF 'same' padding (total (out−1)·s + K − W, left half rounded down). */
function conv1dRef(x: number[][], w: number[][][], bias: number[], stride: number): number[][] {
  const W = x.length;
  const K = w.length;
  const out = Math.ceil(W / stride);
  const left = Math.floor(Math.max((out - 1) * stride + K - W, 0) / 2);
  return Array.from({ length: out }, (_, j) =>
    bias.map((b, co) => {
      let s = b;
      for (let k = 0; k < K; k++) {
        const t = j * stride + k - left;
        if (t >= 0 && t < W) x[t]!.forEach((v, ci) => (s += v * w[k]![ci]![co]!));
      }
      return s;
    }),
  );
}

/** The adjoint of conv1dRef (a transposed convolution to length W·s); w is [K, out channels, in channels]. */
function conv1dTransposeRef(x: number[][], w: number[][][], bias: number[], stride: number): number[][] {
  const W = x.length * stride;
  const K = w.length;
  const left = Math.floor(Math.max((x.length - 1) * stride + K - W, 0) / 2);
  const out = Array.from({ length: W }, () => [...bias]);
  x.forEach((row, j) =>
    row.forEach((v, ci) => {
      for (let k = 0; k < K; k++) {
        const t = j * stride + k - left;
        if (t >= 0 && t < W) bias.forEach((_, co) => (out[t]![co]! += v * w[k]![co]![ci]!));
      }
    }),
  );
  return out;
}

const relu = (rows: number[][]) => rows.map((r) => r.map((v) => Math.max(0, v)));

function expectClose(got: number[][], want: number[][], tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((row, i) => row.forEach((v, c) => expect(Math.abs(v - want[i]![c]!)).toBeLessThan(tol)));
}

/** A [1, 1, W, C] view of one example as rows [W][C]. */
const rowsOf = (t: tf.Tensor) => (t.arraySync() as number[][][][])[0]![0]!;

function randomRows(width: number, channels: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: width }, () => Array.from({ length: channels }, () => rng.uniform(-1, 1)));
}

/** Random non-zero biases, so that the references check bias handling too. */
function setRandomBias(layer: tf.layers.Layer, seed: number): number[] {
  const [kernel, bias] = layer.getWeights();
  const rng = new Rng(seed);
  const b = Array.from({ length: bias!.shape[0]! }, () => rng.uniform(-0.5, 0.5));
  layer.setWeights([kernel!, tf.tensor1d(b)]);
  return b;
}

describe('channel plans (WaveGAN)', () => {
  test('encoder d, 2d, 4d, 8d, 16d; decoder 8d, 4d, 2d, d, 1', () => {
    expect(encoderChannels(64)).toEqual([64, 128, 256, 512, 1024]);
    expect(decoderChannels(64)).toEqual([512, 256, 128, 64, 1]);
    expect(LENGTH_UNIT).toBe(1024);
  });
});

describe('buildConvAutoencoder', () => {
  for (const upsample of ['transpose', 'nn'] as Upsample[]) {
    test(`layer shapes and output lengths (L = 4096, d = 2, upsample ${upsample})`, () => {
      const L = 4096;
      const d = 2;
      const { encoder, decoder } = buildConvAutoencoder({ latent: 3, length: L, d, upsample, seed: 1 });
      try {
        const convs = encoder.layers.filter((l) => l.getClassName() === 'Conv2D');
        expect(convs.map((l) => l.getConfig().filters)).toEqual([2, 4, 8, 16, 32]);
        expect(convs.map((l) => widthOf(l.outputShape))).toEqual([1024, 256, 64, 16, 4]);
        for (const c of convs) {
          expect(c.getConfig()).toMatchObject({ kernelSize: [1, 25], strides: [1, 4], padding: 'same' });
        }
        // Each convolution is followed by a stock LeakyReLU with α = 0.2.
        const names = encoder.layers.map((l) => l.getClassName());
        convs.forEach((c) => {
          const next = encoder.layers[encoder.layers.indexOf(c) + 1]!;
          expect(next.getClassName()).toBe('LeakyReLU');
          expect(next.getConfig().alpha).toBeCloseTo(0.2, 7);
        });
        expect(names.slice(-2)).toEqual(['Flatten', 'Dense']);
        expect(encoder.outputs[0]!.shape).toEqual([null, 3]);

        const dense = decoder.layers[0]!;
        expect(dense.getClassName()).toBe('Dense');
        expect(dense.getConfig().units).toBe((L / 1024) * 16 * d);
        expect(decoder.layers[1]!.outputShape).toEqual([null, 1, L / 1024, 16 * d]);
        expect(decoder.layers[2]!.getClassName()).toBe('ReLU');
        const upconvClass = upsample === 'transpose' ? 'Conv2DTranspose' : 'Conv2D';
        const ups = decoder.layers.filter((l) => l.getClassName() === upconvClass);
        expect(ups.map((l) => l.getConfig().filters)).toEqual([16, 8, 4, 2, 1]);
        expect(ups.map((l) => widthOf(l.outputShape))).toEqual([16, 64, 256, 1024, 4096]);
        expect(ups.map((l) => l.getConfig().activation)).toEqual(['relu', 'relu', 'relu', 'relu', 'tanh']);
        for (const u of ups) {
          expect(u.getConfig()).toMatchObject({ kernelSize: [1, 25], padding: 'same', strides: upsample === 'transpose' ? [1, 4] : [1, 1] });
        }
        if (upsample === 'nn') {
          const sizes = decoder.layers.filter((l) => l.getClassName() === 'UpSampling2D').map((l) => l.getConfig().size);
          expect(sizes).toEqual(Array(5).fill([1, 4]));
        }
        expect(decoder.outputs[0]!.shape).toEqual([null, L]);

        const x = tf.randomUniform([2, L], -1, 1, 'float32', 1);
        const z = encoder.predict(x) as tf.Tensor;
        expect(z.shape).toEqual([2, 3]);
        const y = decoder.predict(z) as tf.Tensor;
        expect(y.shape).toEqual([2, L]);
        expect(tf.max(tf.abs(y)).dataSync()[0]).toBeLessThan(1); // tanh output
        tf.dispose([x, z, y]);
      } finally {
        encoder.dispose();
        decoder.dispose();
      }
    });
  }

  test('the shortest window (1024) leaves one sample of width before the dense layer', () => {
    const { encoder, decoder } = buildConvAutoencoder({ latent: 2, length: 1024, d: 1, upsample: 'transpose', seed: 1 });
    expect(encoder.layers.filter((l) => l.getClassName() === 'Flatten')[0]!.outputShape).toEqual([null, 16]);
    expect(decoder.layers[1]!.outputShape).toEqual([null, 1, 1, 16]);
    expect(decoder.outputs[0]!.shape).toEqual([null, 1024]);
    encoder.dispose();
    decoder.dispose();
  });

  test('the same seed gives the same weights, another seed other weights', () => {
    const weights = (seed: number) => {
      const { encoder, decoder } = buildConvAutoencoder({ latent: 2, length: 1024, d: 1, upsample: 'nn', seed });
      const w = [...encoder.getWeights(), ...decoder.getWeights()].map((t) => Array.from(t.dataSync()));
      encoder.dispose();
      decoder.dispose();
      return w;
    };
    expect(weights(5)).toEqual(weights(5));
    expect(weights(6)).not.toEqual(weights(5));
  });

  test('lengths that are not multiples of 1024, a bad d or latent: errors naming the key', () => {
    const bad = (o: Partial<{ length: number; d: number; latent: number; upsample: string }>) => {
      try {
        buildConvAutoencoder({ latent: 2, length: 1024, d: 2, upsample: 'transpose', seed: 1, ...o } as never);
      } catch (err) {
        expect(isUserError(err)).toBe(true);
        return (err as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad({ length: 1000 })).toMatch(/model\.length.*multiple of 1024.*1000/);
    expect(bad({ length: 512 })).toMatch(/model\.length/);
    expect(bad({ d: 0 })).toMatch(/model\.d.*0/);
    expect(bad({ latent: 0 })).toMatch(/model\.latent.*0/);
    expect(bad({ upsample: 'linear' })).toMatch(/model\.upsample.*linear/);
  });
});

describe('1-D convolutions on the [batch, 1, width, channels] view', () => {
  test('a downsampling layer is the stride-4 1-D convolution with TF "same" padding', () => {
    const layers = downsampleLayers({
      length: 1024,
      d: 3,
      rng: new Rng(2),
      prefix: 't',
      outputs: 1,
      activation: (name) => tf.layers.activation({ name, activation: 'linear' }),
    });
    const conv = layers[1]!;
    const x = randomRows(1024, 1, 3);
    const y = conv.apply(tf.tensor4d([[x]])) as tf.Tensor; // builds the layer
    const bias = setRandomBias(conv, 4);
    const kernel = (conv.getWeights()[0]!.arraySync() as number[][][][])[0]!; // [25][1][3]
    const got = rowsOf(conv.apply(tf.tensor4d([[x]])) as tf.Tensor);
    expect(y.shape).toEqual([1, 1, 256, 3]);
    expectClose(got, conv1dRef(x, kernel, bias, 4));
  });

  test("'transpose' upsampling is the adjoint 1-D convolution (a Conv1DTranspose), stride 4, length × 4", () => {
    const [layer] = upsampleConv('transpose', { name: 't_up', filters: 2, activation: 'relu', rng: new Rng(5) });
    const x = randomRows(16, 3, 6);
    layer!.apply(tf.tensor4d([[x]]));
    const bias = setRandomBias(layer!, 7);
    const kernel = (layer!.getWeights()[0]!.arraySync() as number[][][][])[0]!; // [25][2 out][3 in]
    const got = rowsOf(layer!.apply(tf.tensor4d([[x]])) as tf.Tensor);
    expect(got.length).toBe(64);
    expectClose(got, relu(conv1dTransposeRef(x, kernel, bias, 4)));
  });

  test("'nn' upsampling repeats each sample 4 times, then applies a stride-1 'same' convolution", () => {
    const [up, conv] = upsampleConv('nn', { name: 't_nn', filters: 2, activation: 'tanh', rng: new Rng(8) });
    const x = randomRows(16, 3, 9);
    const repeated = rowsOf(up!.apply(tf.tensor4d([[x]])) as tf.Tensor);
    expect(repeated).toEqual(x.flatMap((r) => [r, r, r, r]).map((r) => r.map((v) => Math.fround(v))));
    conv!.apply(tf.tensor4d([[repeated]]));
    const bias = setRandomBias(conv!, 10);
    const kernel = (conv!.getWeights()[0]!.arraySync() as number[][][][])[0]!;
    const got = rowsOf(conv!.apply(up!.apply(tf.tensor4d([[x]])) as tf.Tensor) as tf.Tensor);
    expectClose(got, conv1dRef(repeated, kernel, bias, 1).map((r) => r.map(Math.tanh)));
  });
});
