import * as tf from '@tensorflow/tfjs';
import { activeNative, initBackend, NativeBinding, setNativeKernelsEnabled } from '../../src/backend';
import { instructionSetsOf } from '../../src/backend/native';
import { absLeakyRelu, absLeakyReluGrad, phaseShuffleOp } from '../../src/models/critic-ops';
import { resolveConfigObject } from '../../src/config';
import { buildTrainer } from '../../src/train/trainers';
import { Rng } from '../../src/util/rng';
import { critic2, critic2Reference, Critic2Result, randomCase, stockCritic2, unsignedZeros } from '../helpers/critic-ops';
import { nativeBindingForTests, randomArray, relativeError } from './kernel-helpers';

/**
 * The native kernels behind the WaveGAN critic's fused ops (native/src/critic_isa.inc) and the one-input-channel
 * convolution paths (the critic's first layer, the generator's last), on every instruction set this CPU has, with
 * one thread and with more threads than cores: bit for bit the tfjs op chains they replace (values, first and
 * second derivatives of a small critic's gradient penalty, against float64 central differences too), the same
 * results at every thread count on tensors large enough to be shared over the pool, and the convolutions against
 * the wasm kernels.
 */


const nativeBinding = nativeBindingForTests('native critic kernel');
if (nativeBinding) {
  const binding: NativeBinding = nativeBinding;
  const info = binding.info();
  const isas = instructionSetsOf(info);
  const defaultThreads = info.threads;

  beforeAll(async () => {
    await initBackend('wasm', () => undefined);
    expect(activeNative()).toBe(binding);
  });
  afterAll(() => {
    binding.configure({ isa: 'best', threads: defaultThreads });
    setNativeKernelsEnabled(true);
  });

  /** Runs f with the native kernels on (counting calls of `fn`, which must happen) and off; returns both. */
  function onAndOff<T>(fn: keyof NativeBinding, f: () => T): { on: T; off: T } {
    const spy = jest.spyOn(binding, fn);
    let on: T;
    try {
      setNativeKernelsEnabled(true);
      on = f();
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    setNativeKernelsEnabled(false);
    try {
      return { on, off: f() };
    } finally {
      setNativeKernelsEnabled(true);
    }
  }

  /** The values of f's tensors (read outside tidy: tidy walks what it returns, element by element for typed arrays). */
  const valuesOf = (f: () => tf.Tensor[]): Float32Array[] => {
    const out = tf.tidy(f);
    const v = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return v;
  };
  // widths and channels that leave tails in every vector loop; the float64 reference's differences computed once
  const c = randomCase(23, { batch: 5, width: 23, channels: 5, n: 2 });
  const numeric = critic2Reference(c).numericWeightGradients();

  describe.each(isas.flatMap((isa) => [1, 3].map((threads) => ({ isa, threads }))))('$isa, $threads thread(s)', ({ isa, threads }) => {
    beforeAll(() => {
      binding.configure({ isa, threads });
      expect(binding.info().isa).toBe(isa);
    });

    test('absLeakyRelu and its gradient op: the tfjs chains bit for bit (vector loops with tails, ±0, NaN)', () => {
      const rng = new Rng(5);
      const x = Float32Array.from({ length: 1000 }, (_, i) => (i % 97 === 0 ? 0 : i % 89 === 0 ? -0 : rng.uniform(-3, 3)));
      x[5] = NaN;
      const dy = Float32Array.from({ length: 1000 }, () => rng.uniform(-3, 3));
      const { on, off } = onAndOff('absLeaky', () =>
        valuesOf(() => [absLeakyRelu(tf.tensor1d(x), 0.2), absLeakyReluGrad(tf.tensor1d(dy), tf.tensor1d(x), 0.2)]),
      );
      expect(on).toEqual(off);
      expect(Number.isNaN(on[0]![5])).toBe(true);
      expect(Number.isNaN(on[1]![5])).toBe(true);
    });

    test('the stock LeakyRelu and its gradient (the conv autoencoder’s encoder): the wasm kernels bit for bit', () => {
      const rng = new Rng(15);
      const x = Float32Array.from({ length: 1003 }, (_, i) => (i % 101 === 0 ? 0 : i % 103 === 0 ? -0 : rng.uniform(-3, 3)));
      x[7] = NaN;
      const w = randomArray([1003], rng);
      const { on, off } = onAndOff('leakyReluGrad', () =>
        valuesOf(() => {
          const t = tf.tensor1d(x);
          const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(v, 0.2), tf.tensor1d(w))))([t]);
          return [tf.leakyRelu(t, 0.2), g!];
        }),
      );
      expect(on).toEqual(off);
      expect(on[1]![0]).toBe(Math.fround(w[0]! * Math.fround(0.2))); // slope α at 0
    });

    test('phase shuffle and its adjoint: the tfjs compositions bit for bit, every shift, n up to width − 1', () => {
      for (const [B, W, C, n] of [
        [5, 37, 3, 2],
        [9, 5, 17, 4],
        [3, 2, 1, 1],
      ] as const) {
        const rng = new Rng(B + W + C);
        const shifts = Array.from({ length: B }, (_, b) => (b % (2 * n + 1)) - n);
        const x = randomArray([B, 1, W, C], rng);
        const { on, off } = onAndOff('phaseShuffle', () =>
          valuesOf(() => {
            const t = tf.tensor4d(x, [B, 1, W, C]);
            const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(phaseShuffleOp(v as tf.Tensor4D, shifts, n), tf.square(t))))([t]);
            return [phaseShuffleOp(t, shifts, n), g!];
          }),
        );
        expect(on).toEqual(off);
      }
    });

    test('a two-layer critic differentiated twice: the stock chains bit for bit, and float64 central differences', () => {
      const { on, off } = onAndOff('absLeakyGrad', () => critic2(c));
      const stock = stockCritic2(c);
      const same = (a: Critic2Result, b: Critic2Result) => {
        expect(a.penalty).toBe(b.penalty);
        expect(a.inputGradient).toEqual(b.inputGradient);
        // up to the sign of zeros: the stock chain adds the slopes' zero derivatives, the fused ops do not
        expect(a.weightGradients.map(unsignedZeros)).toEqual(b.weightGradients.map(unsignedZeros));
      };
      same(on, off);
      same(on, stock);
      for (let l = 0; l < 2; l++) {
        const scale = Math.max(...numeric[l]!.map(Math.abs));
        on.weightGradients[l]!.forEach((g, i) => expect(Math.abs(g - numeric[l]![i]!)).toBeLessThan(1e-4 * scale));
      }
    });

    test('bias gradients of few channels (narrow sums over many rows) in one pass, against the wasm kernel', () => {
      const rng = new Rng(8);
      for (const shape of [
        [16, 1, 1024, 16],
        [3, 1, 700, 9],
      ]) {
        const x = randomArray(shape, rng);
        const { on, off } = onAndOff('sumRows', () => valuesOf(() => [tf.sum(tf.tensor(x, shape), [0, 1, 2])]));
        expect(relativeError(on[0]!, off[0]!)).toBeLessThanOrEqual(1e-5);
      }
    });

    test('one-input-channel convolutions (input gradient as dot products, filter gradient in chunks) against the wasm kernels', () => {
      // widths that leave a partial chunk of output positions, channel counts around the vector width
      for (const [B, W, Cout] of [
        [3, 4100, 16],
        [2, 1000, 5],
        [2, 64, 24],
      ] as const) {
        const rng = new Rng(B * W + Cout);
        const OW = Math.ceil(W / 4);
        const x = randomArray([B, 1, W, 1], rng);
        const dy = randomArray([B, 1, OW, Cout], rng);
        const f = randomArray([1, 25, 1, Cout], rng);
        const attrs = { strides: [1, 4], pad: 'same', dataFormat: 'NHWC' };
        const run = () =>
          valuesOf(() => [
            (tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dy, [B, 1, OW, Cout]), filter: tf.tensor4d(f, [1, 25, 1, Cout]) }, { ...attrs, inputShape: [B, 1, W, 1] }) as tf.Tensor),
            (tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, [B, 1, W, 1]), dy: tf.tensor4d(dy, [B, 1, OW, Cout]) }, { ...attrs, filterShape: [1, 25, 1, Cout] }) as tf.Tensor),
          ]);
        const { on, off } = onAndOff('conv1dDf', run);
        for (let i = 0; i < 2; i++) expect(relativeError(on[i]!, off[i]!)).toBeLessThanOrEqual(1e-5);
      }
    });
  });

  test('a fixed-seed WaveGAN run has the same losses with and without the native kernels (within 1e-4)', async () => {
    const losses = (useNative: boolean) => {
      setNativeKernelsEnabled(useNative);
      const loaded = resolveConfigObject(
        {
          model: { type: 'gan', length: 1024, d: 2, latent: 8 },
          train: { batch_size: 6, backend: 'wasm', seed: 4, lr: 1e-3 },
          gan: { critic_steps: 2, micro_batch: 4, preview_count: 0 },
        },
        'native critic test',
      );
      const trainer = buildTrainer(loaded.config, 1, { sampleRate: 8000 });
      const batch = tf.tensor2d(quickRandom(6 * 1024, 9), [6, 1024]);
      const out: Record<string, number>[] = [];
      for (let step = 0; step < 6; step++) out.push(trainer.trainStep(batch, { step, seed: step }));
      batch.dispose();
      trainer.dispose();
      return out;
    };
    await initBackend('wasm', () => undefined);
    const spy = jest.spyOn(binding, 'phaseShuffle');
    const withNative = losses(true);
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
    const without = losses(false);
    setNativeKernelsEnabled(true);
    expect(withNative[5]!.gradient_penalty).not.toBe(withNative[0]!.gradient_penalty); // the weights moved
    for (let i = 0; i < without.length; i++) {
      for (const key of ['critic_loss', 'generator_loss', 'gradient_penalty', 'wasserstein']) {
        const [a, b] = [withNative[i]![key]!, without[i]![key]!];
        expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-4 * Math.max(Math.abs(b), 1e-2));
      }
    }
  });

  test('results do not depend on the thread count, on tensors shared over the pool', () => {
    // above the pool's threshold (8 M elements or multiply-adds), with a tail
    const n = (1 << 22) + 37;
    const x = quickRandom(n, 1);
    const dy = quickRandom(n, 2);
    const [B, W, C] = [8, 65536 + 3, 16];
    const big = quickRandom(B * W * C, 3);
    const shifts = [-2, -1, 0, 1, 2, 2, -2, 0];
    // the critic's first layer at batch 40: 40·16384·25·16 multiply-adds each way
    const conv = { B: 40, W: 16384, Cout: 16 };
    const cx = quickRandom(conv.B * conv.W, 4);
    const cdy = quickRandom((conv.B * conv.W * conv.Cout) / 4, 5);
    const cf = quickRandom(25 * conv.Cout, 6);
    const attrs = { strides: [1, 4], pad: 'same', dataFormat: 'NHWC' };
    const run = () =>
      valuesOf(() => {
        const t = tf.tensor4d(big, [B, 1, W, C]);
        const cdyT = tf.tensor4d(cdy, [conv.B, 1, conv.W / 4, conv.Cout]);
        return [
          absLeakyRelu(tf.tensor1d(x), 0.2),
          absLeakyReluGrad(tf.tensor1d(dy), tf.tensor1d(x), 0.2),
          tf.leakyRelu(tf.tensor1d(x), 0.2),
          tf.engine().runKernel('SampgenLeakyReluGrad', { dy: tf.tensor1d(dy), x: tf.tensor1d(x) }, { alpha: 0.2 }) as tf.Tensor,
          phaseShuffleOp(t, shifts, 2),
          tf.engine().runKernel(
            'SampgenPhaseShuffle',
            { x: t },
            { shifts, adjoint: true },
          ) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropInput', { dy: cdyT, filter: tf.tensor4d(cf, [1, 25, 1, conv.Cout]) }, { ...attrs, inputShape: [conv.B, 1, conv.W, 1] }) as tf.Tensor,
          tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(cx, [conv.B, 1, conv.W, 1]), dy: cdyT }, { ...attrs, filterShape: [1, 25, 1, conv.Cout] }) as tf.Tensor,
        ];
      });
    const results = [1, 2, 3].map((threads) => {
      binding.configure({ isa: 'best', threads });
      return run();
    });
    binding.configure({ isa: 'best', threads: defaultThreads });
    // byte comparison: jest's deep equality takes minutes on arrays of millions
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const other of [results[1]!, results[2]!]) other.forEach((a, i) => expect(bytes(a).equals(bytes(results[0]![i]!))).toBe(true));
    // and they are the right values: the elementwise ops against float32 arithmetic in JS, the shuffle by index
    const [c1, c2] = [Math.fround(0.6), Math.fround(0.4)];
    const [y, g, leaky, leakyGrad, shuffled, adjoint] = results[0]!;
    const alpha = Math.fround(0.2);
    for (let i = 0; i < n; i += 997) {
      expect(y![i]).toBe(Math.fround(Math.fround(x[i]! * c1) + Math.fround(Math.abs(x[i]!) * c2)));
      expect(g![i]).toBe(Math.fround(Math.fround(dy[i]! * c1) + Math.fround(dy[i]! * c2) * (x[i]! > 0 ? 1 : -1)));
      expect(leaky![i]).toBe(x[i]! < 0 ? Math.fround(alpha * x[i]!) : x[i]!);
      expect(leakyGrad![i]).toBe(x[i]! > 0 ? dy[i]! : Math.fround(dy[i]! * alpha));
    }
    const reflect = (i: number) => (i < 0 ? -i : i > W - 1 ? 2 * (W - 1) - i : i);
    for (let b = 0; b < B; b++) {
      for (const t of [0, 1, 2, 3, 500, W - 3, W - 2, W - 1]) {
        for (let c = 0; c < C; c += 5) expect(shuffled![(b * W + t) * C + c]).toBe(big[(b * W + reflect(t - shifts[b]!)) * C + c]);
      }
    }
    // adjoint: Σ over sources of out = Σ of the input, per example (a permutation plus reflected copies added)
    const rows = (a: Float32Array, b: number) => a.subarray(b * W * C, (b + 1) * W * C).reduce((s, v) => s + v, 0);
    for (let b = 0; b < B; b++) expect(rows(adjoint!, b)).toBeCloseTo(rows(big, b), 2);
  });
}

/**
 * Uniform values in [−1, 1) from a xorshift generator: Rng.normal takes about a minute for the tens of millions of
 * values the thread-count test needs under jest.
 */
function quickRandom(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2147483648 - 1;
  }
  return out;
}
