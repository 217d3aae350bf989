import * as tf from '@tensorflow/tfjs';
import { absLeakyCoefficients, CRITIC_KERNEL_NAMES } from '../backend/native-critic';
import { activeNative } from '../backend/wasm-kernels';

/**
 * The WaveGAN critic's activation and phase shuffle as ops with gradients of their own (tf.customGrad), each
 * differentiable to any order, for the gradient penalty, which differentiates the critic twice (WGAN-GP).
 *
 * Built from stock ops, tfjs records each as a chain of elementwise kernels (LeakyReLU as mul, abs, mul, add; phase
 * shuffle as slices, reverses, a concat and a masked sum per distinct shift), and their gradients as more chains
 * (steps and muls; pads, splits and adds), every one a pass over a [batch, 1, width, channels] activation. Here each
 * op is one kernel, and so is its gradient, and the gradient's gradient:
 *
 *   absLeakyRelu(x)            = c1·x + c2·|x|                    gradient: absLeakyReluGrad(dy, x)
 *   absLeakyReluGrad(dy, x)    = dy·c1 + (dy·c2)·step(x)          gradient in dy: absLeakyReluGrad(ddx, x); in x: 0,
 *                                                                  not recorded (see absLeakyReluGrad)
 *   shuffle(x)                 = x shifted per example, reflected  gradient: shuffleAdjoint(dy)
 *   shuffleAdjoint(dy)         = its exact adjoint (a linear map)   gradient: shuffle(ddx)
 *
 * (c1 = (1+α)/2, c2 = (1−α)/2, step = 1 above 0 and −1 at and below.) On wasm with sampgen's native kernels each is
 * one native kernel (src/backend/native-critic.ts); elsewhere, or with the native kernels off, each is computed by
 * the same stock ops as before, so every backend runs them. Both paths give the same values bit for bit: the native
 * kernels do the ops' float32 operations in the ops' order, and phase shuffle only moves values (its adjoint adds
 * at most two per element).
 */

/** tfjs types customGrad's function as taking (Tensor | GradSaveFunc)[]; ours name their parameters. */
type GradFunction = Parameters<typeof tf.customGrad>[0];
const customGrad = (f: (...args: never[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }) =>
  tf.customGrad(f as unknown as GradFunction);

/** Whether the native kernels compute these ops now (wasm backend, addon loaded and switched on). */
function nativeApplies(...xs: tf.Tensor[]): boolean {
  return activeNative() !== null && tf.getBackend() === 'wasm' && xs.every((x) => x.dtype === 'float32');
}

function leakyForward<T extends tf.Tensor>(x: T, alpha: number): T {
  if (nativeApplies(x)) return tf.engine().runKernel(CRITIC_KERNEL_NAMES.absLeaky, { x }, { alpha }) as T;
  const [c1, c2] = absLeakyCoefficients(alpha);
  return tf.tidy(() => tf.add(tf.mul(x, c1), tf.mul(tf.abs(x), c2)) as T);
}

function leakyBackward(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (nativeApplies(dy, x)) return tf.engine().runKernel(CRITIC_KERNEL_NAMES.absLeakyGrad, { dy, x }, { alpha }) as tf.Tensor;
  const [c1, c2] = absLeakyCoefficients(alpha);
  // The order of the stock chain's gradient: mul's (dy·c1) plus abs's (dy·c2)·step(x, −1).
  return tf.tidy(() => tf.add(tf.mul(dy, c1), tf.mul(tf.mul(dy, c2), tf.step(x, -1))));
}

/** LeakyReLU(α) as c1·x + c2·|x|, with its gradient as one op (absLeakyReluGrad). */
export function absLeakyRelu<T extends tf.Tensor>(x: T, alpha: number): T {
  const op = customGrad((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: leakyForward(input, alpha),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => absLeakyReluGrad(dy, saved[0]!, alpha),
    };
  });
  return op(x) as T;
}

/**
 * dy·c1 + (dy·c2)·step(x): absLeakyRelu's input gradient, itself differentiable in dy (linear: its gradient is
 * itself). In x it is piecewise constant, with derivative 0 wherever it has one, and x is not recorded as an input
 * at all: tfjs would otherwise send a zero tensor back through everything x came from. In the gradient penalty that
 * is the critic's whole forward pass on the mixed samples: a filter and an input gradient per layer (of zeros) per
 * critic step, about a seventh of the step's convolution work, for contributions that are exactly 0. The one
 * difference it makes: differentiating a result that depends on x only through this op's slope says "no path"
 * instead of giving zeros (tf.grads throws, tf.variableGrads leaves such a variable out).
 */
export function absLeakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  const op = customGrad((upstream: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return {
      value: leakyBackward(upstream, x, alpha),
      gradFunc: (ddx: tf.Tensor, saved: tf.Tensor[]) => absLeakyReluGrad(ddx, saved[0]!, alpha),
    };
  });
  return op(dy);
}

/** The phase shuffle of src/models/wavegan.ts (see there) from stock ops: slices, reverses, concat, masks. */
export function phaseShuffleComposed(x: tf.Tensor4D, shifts: ArrayLike<number>, n: number): tf.Tensor4D {
  const [batch, , width, channels] = x.shape;
  return tf.tidy(() => {
    const left = tf.reverse(tf.slice(x, [0, 0, 1, 0], [batch, 1, n, channels]), 2);
    const right = tf.reverse(tf.slice(x, [0, 0, width - 1 - n, 0], [batch, 1, n, channels]), 2);
    const padded = tf.concat([left, x, right], 2);
    const shifted = (k: number) => tf.slice(padded, [0, 0, n - k, 0], [batch, 1, width, channels]);
    const distinct = [...new Set(Array.from(shifts))].sort((a, b) => a - b);
    if (distinct.length === 1) return shifted(distinct[0]!);
    let out: tf.Tensor4D | null = null;
    for (const k of distinct) {
      const part = tf.mul(shifted(k), exampleMask(shifts, k)) as tf.Tensor4D;
      out = out === null ? part : (tf.add(out, part) as tf.Tensor4D);
    }
    return out!;
  });
}

/**
 * The adjoint of phaseShuffleComposed from stock ops, written out as its transpose: each shift's masked gradient
 * placed back into the padded frame (pad), the frame's middle plus its two reflected ends (reversed, padded to
 * their source samples 1..n and W−1−n..W−2).
 */
export function phaseShuffleAdjointComposed(dy: tf.Tensor4D, shifts: ArrayLike<number>, n: number): tf.Tensor4D {
  const [batch, , width, channels] = dy.shape;
  return tf.tidy(() => {
    const distinct = [...new Set(Array.from(shifts))].sort((a, b) => a - b);
    let framed: tf.Tensor4D | null = null;
    for (const k of distinct) {
      const part = distinct.length === 1 ? dy : (tf.mul(dy, exampleMask(shifts, k)) as tf.Tensor4D);
      const placed = tf.pad(part, [[0, 0], [0, 0], [n - k, n + k], [0, 0]]) as tf.Tensor4D;
      framed = framed === null ? placed : (tf.add(framed, placed) as tf.Tensor4D);
    }
    const middle = tf.slice(framed!, [0, 0, n, 0], [batch, 1, width, channels]);
    const left = tf.pad(tf.reverse(tf.slice(framed!, [0, 0, 0, 0], [batch, 1, n, channels]), 2), [[0, 0], [0, 0], [1, width - 1 - n], [0, 0]]);
    const right = tf.pad(tf.reverse(tf.slice(framed!, [0, 0, width + n, 0], [batch, 1, n, channels]), 2), [[0, 0], [0, 0], [width - 1 - n, 1], [0, 0]]);
    return tf.add(tf.add(middle, left), right) as tf.Tensor4D;
  });
}

/** [batch, 1, 1, 1]: 1 for the examples shifted by k, else 0. */
function exampleMask(shifts: ArrayLike<number>, k: number): tf.Tensor4D {
  return tf.tensor4d(Array.from(shifts, (s) => (s === k ? 1 : 0)), [shifts.length, 1, 1, 1]);
}

function shuffleRaw(x: tf.Tensor4D, shifts: number[], n: number, adjoint: boolean): tf.Tensor4D {
  if (nativeApplies(x)) return tf.engine().runKernel(CRITIC_KERNEL_NAMES.phaseShuffle, { x }, { shifts, adjoint }) as tf.Tensor4D;
  return adjoint ? phaseShuffleAdjointComposed(x, shifts, n) : phaseShuffleComposed(x, shifts, n);
}

function shuffleOp(x: tf.Tensor4D, shifts: number[], n: number, adjoint: boolean): tf.Tensor4D {
  const op = customGrad((input: tf.Tensor, _save: tf.GradSaveFunc) => ({
    value: shuffleRaw(input as tf.Tensor4D, shifts, n, adjoint),
    gradFunc: (dy: tf.Tensor) => shuffleOp(dy as tf.Tensor4D, shifts, n, !adjoint),
  }));
  return op(x) as tf.Tensor4D;
}

/**
 * Phase shuffle of [batch, 1, width, channels] by shifts[b] ∈ [−n, n] per example (reflect padding), with its exact
 * adjoint as its gradient. The caller checks the arguments (wavegan.ts's phaseShuffle); n < width.
 */
export function phaseShuffleOp(x: tf.Tensor4D, shifts: ArrayLike<number>, n: number): tf.Tensor4D {
  return shuffleOp(x, Array.from(shifts), n, false);
}
