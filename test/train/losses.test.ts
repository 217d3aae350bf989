import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { meanSquaredError, reconstructionLoss } from '../../src/train/losses';

/** The losses against their closed forms, on both embedded backends. */
describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, () => undefined);
  });

  const target = [0.5, -1, 2, 0, 0.25, -0.75];
  const output = [1, -0.5, 0, 0.5, 0.5, 1.25]; // no zero difference: |x|' at 0 is a convention
  const diff = output.map((o, i) => o - target[i]!);
  const n = diff.length;

  test('mse is mean((y − x)²) and its gradient in y is 2·(y − x)/n, scaled by the upstream gradient', () => {
    const x = tf.tensor2d(target, [2, 3]);
    const y = tf.tensor2d(output, [2, 3]);
    expect(meanSquaredError(y, x).dataSync()[0]).toBeCloseTo(diff.reduce((s, d) => s + d * d, 0) / n, 6);
    const g = tf.grad((t: tf.Tensor) => tf.mul(3, meanSquaredError(t, x)))(y).dataSync();
    Array.from(g).forEach((v, i) => expect(v).toBeCloseTo((3 * 2 * diff[i]!) / n, 6));
    tf.dispose([x, y]);
  });

  test('mae is mean|y − x|, with gradient sign(y − x)/n', () => {
    const x = tf.tensor2d(target, [2, 3]);
    const y = tf.tensor2d(output, [2, 3]);
    expect(reconstructionLoss('mae', x, y).dataSync()[0]).toBeCloseTo(diff.reduce((s, d) => s + Math.abs(d), 0) / n, 6);
    const g = tf.grad((t: tf.Tensor) => reconstructionLoss('mae', x, t))(y).dataSync();
    Array.from(g).forEach((v, i) => expect(v).toBeCloseTo(Math.sign(diff[i]!) / n, 6));
    tf.dispose([x, y]);
  });

  test('mse leaks no tensor', () => {
    const x = tf.ones([4, 5]);
    const y = tf.zeros([4, 5]);
    const before = tf.memory().numTensors;
    tf.dispose(tf.grad((t: tf.Tensor) => meanSquaredError(t, x))(y));
    tf.dispose(meanSquaredError(y, x));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
