import * as tf from '@tensorflow/tfjs';
import { absLeakyRelu, phaseShuffleComposed, phaseShuffleOp } from '../../src/models/critic-ops';
import { Rng } from '../../src/util/rng';

/**
 * A two-layer stand-in for the WaveGAN critic, differentiated twice as the gradient penalty does:
 *   F(x) = Σ w ⊙ act(θ₂ ⊙ S(act(θ₁ ⊙ x))),  g = ∂F/∂x,  P = Σ r ⊙ g²,  and ∂P/∂θ₁, ∂P/∂θ₂
 * with act the LeakyReLU 0.6·u + 0.4·|u| and S a phase shuffle. Elementwise weights keep every derivative free of
 * sums, so that two ways of computing them can be compared bit for bit. Shared by the critic-op tests on the
 * tfjs fallback (test/models) and on the native kernels (test/backend).
 */

export interface Critic2Case {
  shape: [number, number, number, number];
  n: number;
  shifts: number[];
  x: Float32Array;
  theta1: Float32Array;
  theta2: Float32Array;
  w: Float32Array;
  r: Float32Array;
}

export function randomCase(seed: number, size: { batch: number; width: number; channels: number; n: number }): Critic2Case {
  const rng = new Rng(seed);
  const count = size.batch * size.width * size.channels;
  const draw = (lo: number, hi: number) => Float32Array.from({ length: count }, () => rng.uniform(lo, hi));
  return {
    shape: [size.batch, 1, size.width, size.channels],
    n: size.n,
    shifts: Array.from({ length: size.batch }, (_, b) => (b % (2 * size.n + 1)) - size.n),
    x: draw(-1, 1),
    theta1: draw(-2, 2),
    theta2: draw(-2, 2),
    w: draw(-1, 1),
    r: draw(0.5, 1.5),
  };
}

export interface Critic2Result {
  penalty: number;
  inputGradient: Float32Array;
  weightGradients: Float32Array[];
}

type Act = (u: tf.Tensor) => tf.Tensor;
type Shuffle = (u: tf.Tensor4D) => tf.Tensor4D;

function run(c: Critic2Case, act: Act, shuffle: Shuffle): Critic2Result {
  const [penalty, inputGradient, ...weightGradients] = tf.tidy(() => {
    const t = (a: Float32Array) => tf.tensor4d(a, c.shape);
    const [x, w, r, theta1, theta2] = [c.x, c.w, c.r, c.theta1, c.theta2].map(t) as tf.Tensor4D[];
    const inputGradient = (a: tf.Tensor, b: tf.Tensor) =>
      tf.grad((v: tf.Tensor) => tf.sum(tf.mul(act(tf.mul(b, shuffle(act(tf.mul(a, v)) as tf.Tensor4D))), w!)))(x!);
    const penalty = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(r!, tf.square(inputGradient(a, b))));
    return [penalty(theta1!, theta2!), inputGradient(theta1!, theta2!), ...tf.grads(penalty)([theta1!, theta2!])];
  }).map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  });
  return { penalty: penalty![0]!, inputGradient: inputGradient!, weightGradients };
}

/** The values with −0 as 0 (v + 0 is +0 for v = −0 and v otherwise), for comparisons bit for bit up to zeros' signs. */
export function unsignedZeros(a: ArrayLike<number>): number[] {
  return Array.from(a, (v) => v + 0);
}

/** With the fused ops (native kernels where active). */
export function critic2(c: Critic2Case): Critic2Result {
  return run(c, (u) => absLeakyRelu(u, 0.2), (u) => phaseShuffleOp(u, c.shifts, c.n));
}

/** With the stock op chains the fused ops replace, differentiated by tfjs itself. */
export function stockCritic2(c: Critic2Case): Critic2Result {
  return run(c, (u) => tf.add(tf.mul(u, 0.6), tf.mul(tf.abs(u), 0.4)), (u) => phaseShuffleComposed(u, c.shifts, c.n));
}

/** The same penalty in float64 JavaScript, the first derivative by hand, the second by central differences. */
export function critic2Reference(c: Critic2Case): { penalty: number; inputGradient: Float64Array; numericWeightGradients: () => number[][] } {
  const [B, , W, C] = c.shape;
  const at = (b: number, t: number, k: number) => (b * W + t) * C + k;
  const reflect = (i: number) => (i < 0 ? -i : i > W - 1 ? 2 * (W - 1) - i : i);
  const act = (u: number) => 0.6 * u + 0.4 * Math.abs(u);
  const slope = (u: number) => (u > 0 ? 1 : 0.2);
  const evaluate = (theta1: ArrayLike<number>, theta2: ArrayLike<number>) => {
    const size = c.x.length;
    const u1 = Float64Array.from({ length: size }, (_, i) => theta1[i]! * c.x[i]!);
    const h2 = new Float64Array(size);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < W; t++) for (let k = 0; k < C; k++) h2[at(b, t, k)] = act(u1[at(b, reflect(t - c.shifts[b]!), k)]!);
    const dh2 = Float64Array.from({ length: size }, (_, i) => theta2[i]! * slope(theta2[i]! * h2[i]!) * c.w[i]!);
    const dh1 = new Float64Array(size); // Sᵀ dh2
    for (let b = 0; b < B; b++)
      for (let t = 0; t < W; t++) for (let k = 0; k < C; k++) dh1[at(b, reflect(t - c.shifts[b]!), k)] += dh2[at(b, t, k)]!;
    const g = Float64Array.from({ length: size }, (_, i) => theta1[i]! * slope(u1[i]!) * dh1[i]!);
    return { penalty: g.reduce((s, v, i) => s + c.r[i]! * v * v, 0), g };
  };
  const base = evaluate(c.theta1, c.theta2);
  return {
    penalty: base.penalty,
    inputGradient: base.g,
    numericWeightGradients: () =>
      [0, 1].map((layer) => {
        const thetas = [Float64Array.from(c.theta1), Float64Array.from(c.theta2)];
        const p = thetas[layer]!;
        return Array.from(p, (v, i) => {
          const h = 1e-6 * Math.max(1, Math.abs(v));
          p[i] = v + h;
          const up = evaluate(thetas[0]!, thetas[1]!).penalty;
          p[i] = v - h;
          const down = evaluate(thetas[0]!, thetas[1]!).penalty;
          p[i] = v;
          return (up - down) / (2 * h);
        });
      }),
  };
}
