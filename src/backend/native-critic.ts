import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeBinding } from './native';
import { heapOf, offsetOf } from './native-kernels';

/**
 * wasm kernels for the WaveGAN critic's fused ops (src/models/critic-ops.ts), run by the native addon in place on
 * the wasm heap (native/src/critic_isa.inc). Registered under names of their own, so that they show up in
 * tf.profile like any kernel and the engine moves their inputs onto the wasm heap; critic-ops.ts calls them only
 * while the native kernels are active on wasm (nativeCriticKernels() is non-null), and otherwise composes tfjs ops.
 */

export const CRITIC_KERNEL_NAMES = {
  /** y = c1·x + c2·|x|; attrs { alpha } */
  absLeaky: 'SampgenAbsLeakyRelu',
  /** dx = dy·c1 + (dy·c2)·step(x); inputs { dy, x }, attrs { alpha } */
  absLeakyGrad: 'SampgenAbsLeakyReluGrad',
  /** [batch, 1, W, C] rows shifted per example with reflect padding, or the adjoint; attrs { shifts, adjoint } */
  phaseShuffle: 'SampgenPhaseShuffle',
  /** The stock LeakyRelu's gradient: dx = x > 0 ? dy : dy·α; inputs { dy, x }, attrs { alpha } */
  leakyReluGrad: 'SampgenLeakyReluGrad',
} as const;

export interface AbsLeakyAttrs {
  alpha: number;
}

export interface PhaseShuffleAttrs {
  shifts: number[];
  adjoint: boolean;
}

/** c1 = (1+α)/2 and c2 = (1−α)/2 as float32 scalars, as tf.mul(x, c) makes them. */
export function absLeakyCoefficients(alpha: number): [number, number] {
  return [Math.fround((1 + alpha) / 2), Math.fround((1 - alpha) / 2)];
}

type Native = () => NativeBinding | null;

function need(native: Native, kernel: string): NativeBinding {
  const binding = native();
  // critic-ops.ts checks before it runs these kernels; reaching here without the addon is a bug.
  if (!binding) throw new Error(`internal: ${kernel} runs only with sampgen's native kernels active`);
  return binding;
}

function float32(kernel: string, ...xs: tf.TensorInfo[]): void {
  for (const x of xs) if (x.dtype !== 'float32') throw new Error(`${kernel}: float32 tensors only, got ${x.dtype}`);
}

/**
 * A gradient kernel dx = f(dy, x), elementwise over tensors of one shape: inputs { dy, x }, attrs { alpha }, the
 * addon's function `kernel` called with [n, dyOff, xOff, dxOff, ...coefficients(attrs)].
 */
function elementwiseGradient(
  native: Native,
  kernelName: string,
  coefficients: (attrs: AbsLeakyAttrs) => number[],
  kernel: (binding: NativeBinding) => (heap: ArrayBuffer, params: Float64Array) => void,
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const binding = need(native, kernelName);
      const dy = inputs.dy as tf.TensorInfo;
      const x = inputs.x as tf.TensorInfo;
      float32(kernelName, dy, x);
      if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`${kernelName}: dy [${dy.shape}] and x [${x.shape}] differ`);
      const out = (backend as BackendWasm).makeOutput(x.shape, 'float32');
      const n = tf.util.sizeFromShape(x.shape);
      if (n > 0) {
        const params = [n, offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, out), ...coefficients(attrs as unknown as AbsLeakyAttrs)];
        kernel(binding)(heapOf(backend), new Float64Array(params));
      }
      return out;
    },
  };
}

/** Registers the kernels on wasm (idempotent); `native` says which addon is in use now. */
export function registerCriticKernels(native: Native): void {
  const configs: tf.KernelConfig[] = [
    {
      kernelName: CRITIC_KERNEL_NAMES.absLeaky,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const binding = need(native, CRITIC_KERNEL_NAMES.absLeaky);
        const x = inputs.x as tf.TensorInfo;
        float32(CRITIC_KERNEL_NAMES.absLeaky, x);
        const [c1, c2] = absLeakyCoefficients((attrs as unknown as AbsLeakyAttrs).alpha);
        const out = (backend as BackendWasm).makeOutput(x.shape, 'float32');
        const n = tf.util.sizeFromShape(x.shape);
        if (n > 0) binding.absLeaky(heapOf(backend), new Float64Array([n, offsetOf(backend, x), offsetOf(backend, out), c1, c2]));
        return out;
      },
    },
    elementwiseGradient(native, CRITIC_KERNEL_NAMES.absLeakyGrad, (attrs) => absLeakyCoefficients(attrs.alpha), (b) => b.absLeakyGrad),
    {
      kernelName: CRITIC_KERNEL_NAMES.phaseShuffle,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const binding = need(native, CRITIC_KERNEL_NAMES.phaseShuffle);
        const x = inputs.x as tf.TensorInfo;
        float32(CRITIC_KERNEL_NAMES.phaseShuffle, x);
        const { shifts, adjoint } = attrs as unknown as PhaseShuffleAttrs;
        const [batch, height, width, channels] = x.shape as [number, number, number, number];
        if (x.shape.length !== 4 || height !== 1 || shifts.length !== batch) {
          throw new Error(`${CRITIC_KERNEL_NAMES.phaseShuffle}: expected [batch, 1, width, channels] with one shift per example, got [${x.shape}] and ${shifts.length} shifts`);
        }
        const out = (backend as BackendWasm).makeOutput(x.shape, 'float32');
        if (batch * width * channels > 0) {
          binding.phaseShuffle(
            heapOf(backend),
            new Float64Array([batch, width, channels, offsetOf(backend, x), offsetOf(backend, out), adjoint ? 1 : 0, ...shifts]),
          );
        }
        return out;
      },
    },
    elementwiseGradient(native, CRITIC_KERNEL_NAMES.leakyReluGrad, (attrs) => [attrs.alpha], (b) => b.leakyReluGrad),
  ];
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, 'wasm') == null) tf.registerKernel(config);
  }
  // LeakyRelu's gradient (the conv autoencoder's encoder) as one kernel on wasm with the native kernels; elsewhere
  // tfjs' own formula, where(x > 0, dy, dy·α), which the wasm backend ran as Greater, Multiply and Select. Replacing
  // a registered gradient is global, hence the same formula everywhere else.
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { alpha } = attrs as unknown as AbsLeakyAttrs;
      const dyT = dy as tf.Tensor;
      const onNative = native() !== null && tf.getBackend() === 'wasm' && dyT.dtype === 'float32' && x.dtype === 'float32';
      return {
        x: () =>
          onNative
            ? (tf.engine().runKernel(CRITIC_KERNEL_NAMES.leakyReluGrad, { dy: dyT, x }, { alpha }) as tf.Tensor)
            : tf.where(tf.greater(x, 0), dyT, tf.mul(dyT, alpha)),
      };
    },
  });
}
