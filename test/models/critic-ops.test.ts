import * as tf from '@tensorflow/tfjs';
import { initBackend, setNativeKernelsEnabled } from '../../src/backend';
import { absLeakyRelu, absLeakyReluGrad, phaseShuffleAdjointComposed, phaseShuffleComposed, phaseShuffleOp } from '../../src/models/critic-ops';
import { Rng } from '../../src/util/rng';
import { critic2, critic2Reference, randomCase, stockCritic2, unsignedZeros } from '../helpers/critic-ops';

/**
 * The critic's fused ops (LeakyReLU as 0.6·x + 0.4·|x| and phase shuffle, each with a gradient op of its own) on
 * the pure-JS cpu backend and on wasm without the native kernels, where they compose stock ops: against the stock
 * op chains they replace (which tfjs differentiates itself), against an independent float64 implementation with
 * central differences, values and first and second derivatives. test/backend/native-critic.test.ts runs the same
 * checks on the native kernels.
 */

describe.each(['cpu', 'wasm'] as const)('critic ops without native kernels (%s)', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, () => undefined);
    setNativeKernelsEnabled(false); // a no-op on cpu
  });
  afterAll(() => {
    setNativeKernelsEnabled(true);
  });

  test('absLeakyRelu and its gradient op equal the stock chain and its gradient bit for bit (0 and ±0 included)', () => {
    const x = tf.tensor1d([-1e3, -3.5, -1, -0.25, -1e-6, -0, 0, 1e-6, 0.25, 1, 3.5, 1e3, 7e-39]);
    const dy = tf.tensor1d([1, -2, 0.3, 5, -7, 1, 2, 3, -0.1, 0.7, 9, -1, 4]);
    const stock = (v: tf.Tensor) => tf.add(tf.mul(v, 0.6), tf.mul(tf.abs(v), 0.4));
    expect(Array.from(absLeakyRelu(x, 0.2).dataSync())).toEqual(Array.from(stock(x).dataSync()));
    const [fusedGrad] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(absLeakyRelu(v, 0.2), dy)))([x]);
    const [stockGrad] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(stock(v), dy)))([x]);
    expect(Array.from(fusedGrad!.dataSync())).toEqual(Array.from(stockGrad!.dataSync()));
    // slope 0.6 + 0.4 = 1 above 0, 0.6 − 0.4 = α at and below (in float32)
    const [c1, c2] = [Math.fround(0.6), Math.fround(0.4)];
    expect(Array.from(absLeakyReluGrad(tf.onesLike(x), x, 0.2).dataSync())).toEqual(Array.from(x.dataSync(), (v) => Math.fround(v > 0 ? c1 + c2 : c1 - c2)));
  });

  test('absLeakyReluGrad: linear in dy (its gradient is itself); its derivative in x (0) is not recorded', () => {
    const rng = new Rng(3);
    const x = tf.tensor1d(Array.from({ length: 40 }, () => rng.uniform(-2, 2)));
    const dy = tf.tensor1d(Array.from({ length: 40 }, () => rng.uniform(-2, 2)));
    const r = tf.tensor1d(Array.from({ length: 40 }, () => rng.uniform(-2, 2)));
    const [gDy] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(absLeakyReluGrad(a, x, 0.2), r)))([dy]);
    expect(Array.from(gDy!.dataSync())).toEqual(Array.from(absLeakyReluGrad(r, x, 0.2).dataSync()));
    expect(() => tf.grads((b: tf.Tensor) => tf.sum(absLeakyReluGrad(dy, b, 0.2)))([x])).toThrow(/Cannot compute gradient/);
    // x through another path: only that path's gradient
    const [gX] = tf.grads((b: tf.Tensor) => tf.sum(tf.mul(absLeakyReluGrad(dy, b, 0.2), b)))([x]);
    expect(Array.from(gX!.dataSync())).toEqual(Array.from(absLeakyReluGrad(dy, x, 0.2).dataSync()));
  });

  test('phase shuffle op: the composition forward, its exact adjoint as gradient, and the shuffle as the gradient of the adjoint', () => {
    for (const [W, n] of [
      [9, 2],
      [5, 4],
      [2, 1],
    ] as const) {
      const rng = new Rng(W * 10 + n);
      const B = 2 * n + 1;
      const C = 3;
      const shifts = Array.from({ length: B }, (_, b) => b - n); // every shift in [−n, n]
      const x = tf.tensor4d(Float32Array.from({ length: B * W * C }, () => rng.uniform(-1, 1)), [B, 1, W, C]);
      const y = tf.tensor4d(Float32Array.from({ length: B * W * C }, () => rng.uniform(-1, 1)), [B, 1, W, C]);
      const sx = phaseShuffleOp(x, shifts, n);
      expect(Array.from(sx.dataSync())).toEqual(Array.from(phaseShuffleComposed(x, shifts, n).dataSync()));
      // ⟨S x, y⟩ = ⟨x, Sᵀ y⟩ (up to the float32 rounding of Sᵀ y's sums)
      const sty = phaseShuffleAdjointComposed(y, shifts, n);
      const dot = (a: tf.Tensor, b: tf.Tensor) => Array.from(a.dataSync()).reduce((s, v, i) => s + v * b.dataSync()[i]!, 0);
      expect(dot(sx, y)).toBeCloseTo(dot(x, sty), 6);
      const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(phaseShuffleOp(v as tf.Tensor4D, shifts, n), y)))([x]);
      expect(Array.from(g!.dataSync())).toEqual(Array.from(sty.dataSync()));
      // the stock composition's own gradient is the same map
      const [stockG] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(phaseShuffleComposed(v as tf.Tensor4D, shifts, n), y)))([x]);
      expect(Array.from(g!.dataSync())).toEqual(Array.from(stockG!.dataSync()));
      // second order: the gradient of ⟨Sᵀ(u ⊙ y), y⟩ in u is y ⊙ S y
      const [gu] = tf.grads((u: tf.Tensor) => {
        const [inner] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(phaseShuffleOp(v as tf.Tensor4D, shifts, n), tf.mul(u, y))))([x]);
        return tf.sum(tf.mul(inner!, y));
      })([tf.onesLike(x)]);
      expect(Array.from(gu!.dataSync())).toEqual(Array.from(tf.mul(y, phaseShuffleComposed(y, shifts, n)).dataSync()));
    }
  });

  test('a two-layer critic differentiated twice (a gradient penalty): the stock chains, and float64 central differences', () => {
    const c = randomCase(17, { batch: 5, width: 11, channels: 3, n: 2 });
    const fused = critic2(c);
    const stock = stockCritic2(c);
    expect(fused.penalty).toBe(stock.penalty);
    expect(Array.from(fused.inputGradient)).toEqual(Array.from(stock.inputGradient));
    // bit for bit but for the sign of zeros: the stock chain adds the slopes' zero derivatives, the fused ops do not
    for (let i = 0; i < 2; i++) expect(unsignedZeros(fused.weightGradients[i]!)).toEqual(unsignedZeros(stock.weightGradients[i]!));

    const ref = critic2Reference(c);
    expect(Math.abs(fused.penalty - ref.penalty)).toBeLessThan(1e-5 * ref.penalty);
    fused.inputGradient.forEach((g, i) => expect(Math.abs(g - ref.inputGradient[i]!)).toBeLessThan(1e-5));
    // ∂P/∂θ by central differences of the float64 penalty: the analytic second derivatives through both ops
    const numeric = ref.numericWeightGradients();
    for (let l = 0; l < 2; l++) {
      const scale = Math.max(...numeric[l]!.map(Math.abs));
      expect(scale).toBeGreaterThan(0.1);
      fused.weightGradients[l]!.forEach((g, i) => expect(Math.abs(g - numeric[l]![i]!)).toBeLessThan(1e-4 * scale));
    }
  });
});
