import * as tf from '@tensorflow/tfjs';
import { activeNative, initBackend, isPatched, PATCHED_KERNELS, setNativeKernelsEnabled } from '../../src/backend';
import { Rng } from '../../src/util/rng';
import { CONV_CASES, convOutShape, expectNoLeak, expectSameOnWasm, randomArray, TRANSPOSES, weightedSum } from './kernel-helpers';

/**
 * The patched wasm kernels (the path that runs where sampgen's native addon is absent) against the pure-JS cpu
 * backend (the independent reference): same inputs, same op, relative error max|wasm − cpu| / max|cpu| ≤ 1e-4.
 * The native kernels are switched off here; native-kernels.test.ts checks them on the same cases.
 */

beforeAll(async () => {
  await initBackend('wasm', () => undefined);
  setNativeKernelsEnabled(false);
  expect(activeNative()).toBeNull();
});

it('registers all three patches on wasm', () => {
  for (const k of PATCHED_KERNELS) expect(isPatched(k)).toBe(true);
});

describe('BatchMatMul', () => {
  const sizes: [number, number, number][] = [
    [5, 7, 3],
    [33, 17, 9],
    [1, 64, 40],
    [64, 1, 5],
    [40, 8, 300], // swapped arrangement for transposeB (N ≫ M)
    [300, 8, 40], // direct arrangement
  ];
  for (const [M, K, N] of sizes) {
    for (const [ta, tb] of TRANSPOSES) {
      it(`[${M}x${K}]·[${K}x${N}] transposeA=${ta} transposeB=${tb}, values and gradients`, async () => {
        const aShape = ta ? [K, M] : [M, K];
        const bShape = tb ? [N, K] : [K, N];
        await expectSameOnWasm(M * 1000 + K * 10 + N, [aShape, bShape], (a, b) => tf.matMul(a, b, ta, tb));
        await expectSameOnWasm(M + K + N, [aShape, bShape], (a, b) =>
          tf.grads((x: tf.Tensor, y: tf.Tensor) => weightedSum(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb), 7))([a, b]),
        );
      });
    }
  }

  it('rank 3 with batch 1 keeps its shape; batch 2 (stock kernel) still agrees', async () => {
    await expectSameOnWasm(1, [[1, 6, 4], [1, 5, 4]], (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true));
    await expectSameOnWasm(2, [[2, 4, 6], [2, 4, 5]], (a, b) => tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, true, false));
  });

  it('leaks nothing', async () => {
    const a = tf.tensor(randomArray([30, 20], new Rng(3)), [30, 20]);
    const b = tf.tensor(randomArray([50, 20], new Rng(4)), [50, 20]);
    const c = tf.tensor(randomArray([50, 7], new Rng(5)), [50, 7]);
    const d = tf.tensor(randomArray([9, 50], new Rng(6)), [9, 50]);
    await expectNoLeak(() => {
      tf.matMul(a, b, false, true).dispose(); // direct arrangement
      tf.matMul(b, c, true, false).dispose();
      tf.matMul(c, d, true, true).dispose(); // swapped
    });
    tf.dispose([a, b, c, d]);
  });
});

describe.each(CONV_CASES)('conv kernels: $name', (c) => {
  const dy = convOutShape(c);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC' };

  it('Conv2DBackpropFilter', async () => {
    await expectSameOnWasm(11, [c.x, dy], (x, g) =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, { ...attrs, filterShape: c.filter }) as tf.Tensor,
    );
  });

  it('Conv2DBackpropInput', async () => {
    await expectSameOnWasm(12, [dy, c.filter], (g, w) =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter: w }, { ...attrs, inputShape: c.x }) as tf.Tensor,
    );
  });

  if (c.dataFormat !== 'NCHW') {
    it('gradients of conv2d and conv2dTranspose', async () => {
      const pad = c.pad;
      await expectSameOnWasm(13, [c.x, c.filter], (x, w) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => weightedSum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, pad), 5))([x, w]),
      );
      // conv2dTranspose maps dy-shaped inputs back to x's shape; its filter is [fh, fw, xChannels, dyChannels].
      await expectSameOnWasm(14, [dy, c.filter], (y, w) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          weightedSum(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x as [number, number, number, number], c.strides, pad), 6),
        )([y, w]),
      );
    });
  }
});

it('conv kernels leak nothing', async () => {
  const c = CONV_CASES[0];
  const dyShape = convOutShape(c);
  const x = tf.tensor(randomArray(c.x, new Rng(20)), c.x);
  const w = tf.tensor(randomArray(c.filter, new Rng(21)), c.filter);
  const dy = tf.tensor(randomArray(dyShape, new Rng(22)), dyShape);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
  await expectNoLeak(() => {
    tf.dispose(tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.filter }));
    tf.dispose(tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x }));
    tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, 'same')))([x, w]));
  });
  tf.dispose([x, w, dy]);
});
