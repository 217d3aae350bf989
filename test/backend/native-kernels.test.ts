import * as tf from '@tensorflow/tfjs';
import { activeNative, initBackend, NativeBinding, NativeIsa, setNativeKernelsEnabled } from '../../src/backend';
import { instructionSetsOf } from '../../src/backend/native';
import { NativeAdamOptimizer } from '../../src/backend/native-adam';
import { resolveConfigObject } from '../../src/config';
import { meanSquaredError } from '../../src/train/losses';
import { buildTrainer } from '../../src/train/trainers';
import { Rng } from '../../src/util/rng';
import { CONV_CASES, convOutShape, expectNoLeak, expectSameOnWasm, nativeBindingForTests, randomArray, relativeError, TRANSPOSES, weightedSum } from './kernel-helpers';

/**
 * sampgen's native kernels (native/, built at npm install) against the pure-JS cpu backend: every kernel they replace,
 * on random inputs of several shapes, values and gradients, relative error ≤ 1e-4; on every instruction set this CPU
 * has, with one thread and with more threads than cores. Also: the fused Adam equals tf.train.adam bit for bit, and
 * a fixed-seed training run has the losses of the unpatched wasm kernels.
 *
 * Where the addon could not be built (no C++ compiler), these tests are skipped with a note, unless
 * SAMPGEN_REQUIRE_NATIVE=1 (CI sets it), which makes a missing addon a failure.
 */


const nativeBinding = nativeBindingForTests('native kernel');
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

  /** Counts the addon's calls of one function while `f` runs, so each test proves the native path ran. */
  async function expectNativeCalls(fn: 'matmul' | 'conv1d' | 'conv1dDx' | 'conv1dDf' | 'sumRows' | 'adam' | 'mse', f: () => Promise<void>) {
    const spy = jest.spyOn(binding, fn);
    try {
      await f();
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  }

  describe.each(isas.flatMap((isa) => [1, 3].map((threads) => ({ isa, threads }))))('$isa, $threads thread(s)', ({ isa, threads }) => {
    beforeAll(() => {
      binding.configure({ isa, threads });
      expect(binding.info().isa).toBe(isa);
      expect(binding.info().threads).toBe(threads);
    });

    // Sizes around the register tiles (MR up to 8, NR up to 32), the k-block (256), the swap between C = A·B
    // and Cᵀ = Bᵀ·Aᵀ (a long side against a short one), and the few-row product (M ≤ 4, N ≥ 4·NR; column chunks
    // of 2048 with a tail), and the long-k dot products of A·Bᵀ (k ≥ 1024, a side ≤ 64, k not a multiple of a vector,
    // sides not multiples of its 3- or 4-row blocks; with B row-major and N ≤ 16, Bᵀ copied first).
    const sizes: [number, number, number][] = [
      [5, 1500, 7],
      [33, 1037, 70],
      [3, 17, 300],
      [2, 8, 2100],
      [5, 7, 3],
      [33, 17, 9],
      [1, 300, 40],
      [64, 1, 5],
      [9, 520, 37],
      [40, 8, 300],
      [300, 8, 40],
    ];
    for (const [M, K, N] of sizes) {
      it(`BatchMatMul [${M}x${K}]·[${K}x${N}], every transpose, values and gradients`, async () => {
        await expectNativeCalls('matmul', async () => {
          for (const [ta, tb] of TRANSPOSES) {
            const aShape = ta ? [K, M] : [M, K];
            const bShape = tb ? [N, K] : [K, N];
            await expectSameOnWasm(M * 1000 + K * 10 + N, [aShape, bShape], (a, b) => tf.matMul(a, b, ta, tb));
            await expectSameOnWasm(M + K + N, [aShape, bShape], (a, b) =>
              tf.grads((x: tf.Tensor, y: tf.Tensor) => weightedSum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb), 7))([a, b]),
            );
          }
        });
      });
    }

    it('BatchMatMul over batches: equal batches, and one side broadcast', async () => {
      await expectNativeCalls('matmul', async () => {
        await expectSameOnWasm(1, [[3, 6, 4], [3, 5, 4]], (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true));
        await expectSameOnWasm(2, [[2, 4, 6], [2, 4, 5]], (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, false));
        await expectSameOnWasm(3, [[4, 7, 5], [1, 5, 9]], (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D));
        await expectSameOnWasm(4, [[1, 7, 5], [4, 9, 5]], (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true));
      });
    });

    it('_FusedMatMul of A·Bᵀ with a long k (the dot-product path): bias and activation after the sums', async () => {
      await expectNativeCalls('matmul', async () => {
        const [M, K, N] = [6, 1100, 10];
        for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
          await expectSameOnWasm(K + N, [[M, K], [N, K], [N]], (a, b, bias) =>
            tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: true, bias, activation }),
          );
        }
      });
    });

    // Each shape takes another path of the GEMM: register tiles with edges, the swapped product (Cᵀ = Bᵀ·Aᵀ), the
    // few-row product, A transposed, the long-k dot products (Bᵀ in place, and B row-major with few columns).
    it.each([
      [40, 300, 70, false, false],
      [9, 5, 2, false, false],
      [3, 7, 600, false, false],
      [300, 32, 70, true, false],
      [5, 1500, 7, false, true],
      [5, 1500, 7, false, false],
    ])('an Adam update fused into C = op(A)·op(B) [%i x %i x %i, transposed %s %s] equals the product, then the adam kernel, bit for bit', (M, K, N, ta, tb) => {
      const rng = new Rng(M * 7 + K + N);
      const n = M * N;
      // heap: a, b, c, then p, m, v for the fused update and a copy of them for the separate pass
      const offsets: number[] = [];
      let at = 0;
      for (const len of [M * K, K * N, n, n, n, n, n, n, n]) {
        offsets.push(at);
        at += 4 * len;
      }
      const heap = new ArrayBuffer(at);
      const f = new Float32Array(heap);
      for (let i = 0; i < M * K + K * N; i++) f[i] = rng.normal();
      const [oa, ob, oc, op, om, ov, op2, om2, ov2] = offsets as [number, number, number, number, number, number, number, number, number];
      for (let i = 0; i < n; i++) {
        f[op / 4 + i] = f[op2 / 4 + i] = rng.normal();
        f[om / 4 + i] = f[om2 / 4 + i] = 0.01 * rng.normal();
        f[ov / 4 + i] = f[ov2 / 4 + i] = 0.001 * Math.abs(rng.normal());
      }
      const before = f.slice(op / 4, op / 4 + n);
      const k = [0.9, 0.1, 0.999, 0.001, 0.271, 0.00299, 1e-7, -0.001].map(Math.fround);
      const product = [1, M, N, K, oa, ta ? 1 : K, ta ? M : 1, 0, ob, tb ? 1 : N, tb ? K : 1, 0, oc, n, -1, 0, 0, 0];
      binding.matmul(heap, new Float64Array(product));
      binding.adam(heap, new Float64Array([n, op2, oc, om2, ov2, ...k]));
      binding.matmul(heap, new Float64Array([...product, op, om, ov, ...k]));
      const region = (o: number) => f.slice(o / 4, o / 4 + n);
      expect(region(op)).toEqual(region(op2));
      expect(region(om)).toEqual(region(om2));
      expect(region(ov)).toEqual(region(ov2));
      expect(region(op).filter((x, i) => x !== before[i]).length).toBeGreaterThan(n / 2);
    });

    // The paths again, with a bias as the dense layers have it: the MSE needs every element once, after the bias.
    it.each([
      [32, 96, 200, false],
      [3, 9, 700, false],
      [40, 300, 9, false],
      [5, 1500, 7, true],
    ])('an MSE fused into C = A·op(B) + bias [%i x %i x %i, B transposed %s] gives the gradient the mse kernel gives, bit for bit, and the sum', (M, K, N, tb) => {
      const rng = new Rng(M + K * 3 + N);
      const n = M * N;
      const offsets: number[] = [];
      let at = 0;
      for (const len of [M * K, K * N, N, n, n, n]) {
        offsets.push(at);
        at += 4 * len;
      }
      const heap = new ArrayBuffer(at);
      const f = new Float32Array(heap);
      for (let i = 0; i < at / 4; i++) f[i] = rng.normal();
      const [oa, ob, obias, oc, ot, og] = offsets as [number, number, number, number, number, number];
      const scale = Math.fround(2 / n);
      const product = [1, M, N, K, oa, K, 1, 0, ob, tb ? 1 : N, tb ? K : 1, 0, oc, n, obias, 1, 0, 0];
      expect(binding.matmul(heap, new Float64Array(product))).toBeUndefined();
      const sum = binding.mse(heap, new Float64Array([n, oc, ot, og, scale]));
      const gradient = f.slice(og / 4, og / 4 + n);
      let exact = 0;
      for (let i = 0; i < n; i++) exact += Math.fround(f[oc / 4 + i]! - f[ot / 4 + i]!) ** 2;
      const fused = binding.matmul(heap, new Float64Array([...product, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ot, scale]))!;
      expect(f.slice(oc / 4, oc / 4 + n)).toEqual(gradient);
      expect(Math.abs(fused - exact) / exact).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(fused - sum) / sum).toBeLessThanOrEqual(1e-6);
    });

    it('rejects an MSE fused with an Adam update', () => {
      const heap = new ArrayBuffer(4 * 64);
      const params = [1, 2, 2, 2, 0, 2, 1, 0, 16, 2, 1, 0, 32, 4, -1, 0, 0, 0, 64, 80, 96, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-7, -0.001, 112, 0.5];
      expect(() => binding.matmul(heap, new Float64Array(params))).toThrow(/fused MSE needs one product without a fused Adam/);
    });

    it('rejects a fused Adam update on a product with a bias', () => {
      const heap = new ArrayBuffer(4 * 64);
      const params = [1, 2, 2, 2, 0, 2, 1, 0, 16, 2, 1, 0, 32, 4, 48, 1, 0, 0, 64, 80, 96, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-7, -0.001];
      expect(() => binding.matmul(heap, new Float64Array(params))).toThrow(/fused Adam update needs one plain product/);
    });

    const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const;
    for (const activation of activations) {
      it(`_FusedMatMul with a per-column and a scalar bias, activation ${activation}, values and gradients`, async () => {
        await expectNativeCalls('matmul', async () => {
          for (const [ta, tb] of TRANSPOSES) {
            const [M, K, N] = [19, 37, 45];
            const aShape = ta ? [K, M] : [M, K];
            const bShape = tb ? [N, K] : [K, N];
            for (const biasShape of [[N], [1]]) {
              const fused = (a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
                tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias, activation, leakyreluAlpha: 0.1 });
              await expectSameOnWasm(M + N + K + biasShape[0]!, [aShape, bShape, biasShape], fused);
              if (activation !== 'relu6') {
                // (tfjs has no gradient for a fused relu6)
                await expectSameOnWasm(7 + biasShape[0]!, [aShape, bShape, biasShape], (a, b, bias) =>
                  tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => weightedSum(fused(x, y, z), 8))([a, b, bias]),
                );
              }
            }
          }
        });
      });
    }

    describe.each(CONV_CASES.filter((c) => c.dataFormat !== 'NCHW' && c.filter[0] === 1))('1-D convolution: $name', (c) => {
      const dy = convOutShape(c);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };

      it('Conv2D, and FusedConv2D with bias and activation', async () => {
        await expectNativeCalls('conv1d', async () => {
          await expectSameOnWasm(21, [c.x, c.filter], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad));
          for (const activation of ['linear', 'relu', 'leakyrelu'] as const) {
            await expectSameOnWasm(22, [c.x, c.filter, [c.filter[3]!]], (x, w, b) =>
              tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: c.strides, pad: c.pad, bias: b, activation, leakyreluAlpha: 0.2 }),
            );
          }
        });
      });

      it('Conv2DBackpropInput and Conv2DBackpropFilter', async () => {
        await expectNativeCalls('conv1dDx', () =>
          expectSameOnWasm(12, [dy, c.filter], (g, w) =>
            tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter: w }, { ...attrs, inputShape: c.x }) as tf.Tensor,
          ),
        );
        await expectNativeCalls('conv1dDf', () =>
          expectSameOnWasm(11, [c.x, dy], (x, g) =>
            tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, { ...attrs, filterShape: c.filter }) as tf.Tensor,
          ),
        );
      });

      it('gradients of conv2d and conv2dTranspose', async () => {
        await expectSameOnWasm(13, [c.x, c.filter], (x, w) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), 5))([x, w]),
        );
        await expectSameOnWasm(14, [dy, c.filter], (y, w) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) =>
            weightedSum(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x as [number, number, number, number], c.strides, c.pad), 6),
          )([y, w]),
        );
      });
    });

    it('Sum over leading axes (bias gradients), with and without keepDims', async () => {
      await expectNativeCalls('sumRows', async () => {
        await expectSameOnWasm(31, [[37, 100]], (x) => tf.sum(x, 0));
        await expectSameOnWasm(32, [[3, 5, 70]], (x) => tf.sum(x, [0, 1]));
        await expectSameOnWasm(33, [[3, 5, 70]], (x) => tf.sum(x, [0, 1], true));
        await expectSameOnWasm(34, [[300, 65]], (x) => tf.sum(x, 0, true));
      });
    });
  });

  it('results do not depend on the thread count (each output element is reduced by one thread), region after region', async () => {
    // 256·600·128 = 20 M multiply-adds: above the size that runs on the calling thread alone, so the pool shares it.
    const rng = new Rng(41);
    const a = randomArray([256, 600], rng);
    const b = randomArray([600, 128], rng);
    const results: Float32Array[] = [];
    for (const threads of [1, 2, 3]) {
      binding.configure({ isa: 'best', threads });
      // many regions in a row: workers that sleep, spin, or arrive after the caller drained them
      for (let r = 0; r < 20; r++) {
        const [out] = await runWasm([[a, [256, 600]], [b, [600, 128]]], (x, y) => (r % 2 === 1 ? tf.relu(tf.matMul(x, y)) : tf.matMul(x, y)));
        if (r === 0) results.push(out!);
        else if (r % 2 === 0) expect(out).toEqual(results.at(-1));
      }
    }
    binding.configure({ isa: 'best', threads: defaultThreads });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('native and wasm-only kernels agree on a model-sized GEMM with transposes (the gradient path)', async () => {
    const rng = new Rng(42);
    const x = randomArray([32, 2000], rng);
    const w = randomArray([2000, 96], rng);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.grads((p: tf.Tensor, q: tf.Tensor) => weightedSum(tf.tanh(tf.matMul(p, q)), 9))([a, b]);
    const withNative = await runWasm([[x, [32, 2000]], [w, [2000, 96]]], f);
    setNativeKernelsEnabled(false);
    const without = await runWasm([[x, [32, 2000]], [w, [2000, 96]]], f);
    setNativeKernelsEnabled(true);
    for (let i = 0; i < 2; i++) expect(relativeError(withNative[i]!, without[i]!)).toBeLessThanOrEqual(1e-4);
  });

  it('the fused MSE: the value and gradient of mean((y − x)²) as the tfjs ops give them, whatever the thread count', async () => {
    const rng = new Rng(61);
    const shape = [7, 3001]; // several blocks of 8192 and a tail
    const y = randomArray(shape, rng);
    const x = randomArray(shape, rng);
    const loss = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => {
      const [value, grad] = [meanSquaredError(a, b), tf.grad((t: tf.Tensor) => tf.mul(3, meanSquaredError(t, b)))(a)];
      return [value, grad];
    });
    let fused: Float32Array[] = [];
    await expectNativeCalls('mse', async () => {
      fused = await runWasm([[y, shape], [x, shape]], loss);
    });
    for (const threads of [1, 3]) {
      binding.configure({ isa: 'best', threads });
      expect(await runWasm([[y, shape], [x, shape]], loss)).toEqual(fused);
    }
    binding.configure({ isa: 'best', threads: defaultThreads });
    setNativeKernelsEnabled(false);
    const stock = await runWasm([[y, shape], [x, shape]], loss);
    setNativeKernelsEnabled(true);
    // The value against the sum in double: the fused pass adds float32 blocks in double, tfjs sums in float32.
    let exact = 0;
    for (let i = 0; i < y.length; i++) exact += (Math.fround(y[i]! - x[i]!)) ** 2;
    exact /= y.length;
    expect(Math.abs(fused[0]![0]! - exact) / exact).toBeLessThanOrEqual(1e-6);
    expect(relativeError(fused[0]!, stock[0]!)).toBeLessThanOrEqual(1e-5);
    expect(relativeError(fused[1]!, stock[1]!)).toBeLessThanOrEqual(1e-6);
  });

  it('rejects a call whose operands lie outside the heap, naming what is wrong', () => {
    const heap = new ArrayBuffer(4 * 16);
    // 2×2 · 2×2 with C placed past the end of the 64-byte heap
    const params = new Float64Array([1, 2, 2, 2, 0, 2, 1, 0, 16, 2, 1, 0, 60, 4, -1, 0, 0, 0]);
    expect(() => binding.matmul(heap, params)).toThrow(/outside the wasm heap/);
    expect(() => binding.matmul(heap, new Float64Array(3))).toThrow(/too few parameters/);
    expect(() => binding.configure({ isa: 'pentium' as NativeIsa })).toThrow();
  });

  it('the fused Adam equals tf.train.adam bit for bit, over steps, and leaks nothing', async () => {
    const rng = new Rng(51);
    const shapes = [[300, 7], [7], [1]];
    const init = shapes.map((s) => randomArray(s, rng));
    const grads = Array.from({ length: 4 }, () => shapes.map((s) => randomArray(s, rng)));
    const run = (opt: tf.Optimizer): Float32Array[] => {
      const vars = init.map((a, i) => tf.variable(tf.tensor(a, shapes[i]), true, `adam_test_${opt.constructor.name}_${i}`));
      for (const g of grads) {
        tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(g[i]!, shapes[i]) }))));
      }
      const out = vars.map((v) => v.dataSync() as Float32Array);
      tf.dispose(vars);
      opt.dispose();
      return out;
    };
    await initBackend('wasm', () => undefined);
    let fused: Float32Array[] = [];
    await expectNativeCalls('adam', async () => {
      fused = run(new NativeAdamOptimizer(0.01, 0.9, 0.999));
    });
    setNativeKernelsEnabled(false);
    const stock = run(tf.train.adam(0.01, 0.9, 0.999));
    setNativeKernelsEnabled(true);
    expect(fused).toEqual(stock);
    expect(fused[0]).not.toEqual(init[0]); // the update did move the variables

    const v = tf.variable(tf.tensor(init[0]!, shapes[0]), true, 'adam_leak_test');
    const opt = new NativeAdamOptimizer(0.01, 0.9, 0.999);
    const g = tf.tensor(grads[0]![0]!, shapes[0]);
    await expectNoLeak(() => opt.applyGradients([{ name: v.name, tensor: g }]));
    tf.dispose([v, g]);
    opt.dispose();
  });

  it('a fixed-seed training run has the same losses with and without the native kernels', async () => {
    const losses = async (useNative: boolean) => {
      setNativeKernelsEnabled(useNative);
      const loaded = resolveConfigObject(
        { model: { type: 'dense-ae', size: 'medium', activation: 'tanh', length: 512 }, train: { batch_size: 8, backend: 'wasm', seed: 5 } },
        'native test',
      );
      const trainer = buildTrainer(loaded.config, 1);
      const rng = new Rng(9);
      const batch = tf.tensor2d(randomArray([8, 512], rng), [8, 512]);
      const out: number[] = [];
      for (let step = 0; step < 6; step++) out.push(trainer.trainStep(batch, { step, seed: step }).loss!);
      batch.dispose();
      trainer.dispose();
      return out;
    };
    await initBackend('wasm', () => undefined);
    const spy = jest.spyOn(binding, 'matmul');
    const withNative = await losses(true);
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
    const without = await losses(false);
    setNativeKernelsEnabled(true);
    expect(withNative[5]).toBeLessThan(withNative[0]!);
    for (let i = 0; i < without.length; i++) expect(Math.abs(withNative[i]! - without[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(without[i]!));
  });
}

/** Values of `f`'s outputs on wasm (with whatever native setting is current). */
async function runWasm(arrays: [Float32Array, number[]][], f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await initBackend('wasm', () => undefined);
  const out = tf.tidy(() => {
    const r = f(...arrays.map(([a, s]) => tf.tensor(a, s)));
    return Array.isArray(r) ? r : [r];
  });
  const values = out.map((t) => t.dataSync() as Float32Array);
  tf.dispose(out);
  return values;
}
