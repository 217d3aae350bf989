import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { Rng } from '../../src/util/rng';
import { expectSameOnWasm, randomArray, TRANSPOSES, weightedSum } from './kernel-helpers';

/**
 * tf.fused.matMul on wasm while gradients are recorded (src/backend/lazy-fused-matmul.ts): the same values and
 * gradients as the stock op on the cpu backend, and no gradient computed for an input that does not need one.
 */

beforeAll(async () => {
  await initBackend('wasm', () => undefined);
});

const [M, K, N] = [7, 13, 5];

describe.each(TRANSPOSES.map(([ta, tb]) => ({ ta, tb })))('transposeA=$ta transposeB=$tb', ({ ta, tb }) => {
  const aShape = ta ? [K, M] : [M, K];
  const bShape = tb ? [N, K] : [K, N];
  const fused = (a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor) =>
    tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias });

  test('values and the gradients of every input, with a bias and without', async () => {
    await expectSameOnWasm(1, [aShape, bShape, [N]], (a, b, bias) =>
      tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => weightedSum(fused(x, y, z), 2))([a, b, bias]),
    );
    await expectSameOnWasm(3, [aShape, bShape], (a, b) => tf.grads((x: tf.Tensor, y: tf.Tensor) => weightedSum(fused(x, y), 4))([a, b]));
    await expectSameOnWasm(5, [aShape, bShape, [N]], (a, b, bias) => fused(a, b, bias));
  });

  test('a constant input gets no gradient computed: one matrix product in the backward pass, not two', async () => {
    const rng = new Rng(6);
    const a = tf.tensor(randomArray(aShape, rng), aShape);
    const b = tf.variable(tf.tensor(randomArray(bShape, rng), bShape));
    const bias = tf.variable(tf.tensor(randomArray([N], rng), [N]));
    const profile = await tf.profile(() => {
      const { grads } = tf.variableGrads(() => weightedSum(fused(a, b, bias), 7), [b, bias]);
      tf.dispose(Object.values(grads));
    });
    const products = profile.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul').map((k) => k.name);
    expect(products).toEqual(['_FusedMatMul', 'BatchMatMul']); // the forward, and the kernel's gradient only
    tf.dispose([a, b, bias]);
  });
});
