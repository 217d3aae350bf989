import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MrStftOptions } from '../eval/reconstruction';
import { heapOf, offsetOf, refCountOf } from './native-kernels';
import { activeNative } from './wasm-kernels';

/** The native multi-resolution STFT loss of a batch: its per-example parts and the loss's gradient in the output. */
export interface NativeMrStft {
  /** Per example: mean over the FFT sizes of ‖S − T‖_F / ‖S‖_F. */
  sc: Float64Array;
  /** Per example: mean over the FFT sizes of mean |ln S − ln T|. */
  lm: Float64Array;
  /** scale · ∂/∂output Σ_b (scWeight·sc_b + magWeight·lm_b), [batch, length] on the wasm heap. */
  gradient: tf.Tensor2D;
}

/**
 * (N, hop) for each FFT size, or null where the options are outside mrStftTerms' definition (the tfjs path then
 * reports them): the hop N·hopRatio must be an integer that divides N, N a power of two ≥ 4.
 */
function sizesAndHops(options: MrStftOptions): number[] | null {
  if (options.fftSizes.length === 0) return null;
  const out: number[] = [];
  for (const size of options.fftSizes) {
    const hop = size * options.hopRatio;
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) return null;
    if (!Number.isInteger(hop) || hop < 1 || !Number.isInteger(size / hop)) return null;
    out.push(size, hop);
  }
  return out;
}

/**
 * Whether nativeMrStft can run on these operands now: the native kernels active on wasm, float32 [batch, length]
 * operands of equal shape already on the wasm heap, and options inside the definition.
 */
export function nativeMrStftApplies(target: tf.Tensor, output: tf.Tensor, options: MrStftOptions): boolean {
  if (!activeNative() || tf.getBackend() !== 'wasm') return false;
  if (target.dtype !== 'float32' || output.dtype !== 'float32' || target.shape.length !== 2) return false;
  if (!tf.util.arraysEqual(target.shape, output.shape) || target.size === 0) return false;
  if (sizesAndHops(options) === null) return false;
  const backend = tf.backend();
  // Tensors made on another backend before wasm was chosen are moved only when a kernel runs on them.
  return refCountOf(backend, target) > 0 && refCountOf(backend, output) > 0;
}

/**
 * src/eval/reconstruction.ts's mrStftTerms (the definition) and the gradient in `output` of
 * scale·Σ_b (scWeight·sc_b + magWeight·lm_b), in one native call (native/src/mrstft_isa.inc: real FFTs in place of
 * the tfjs path's products with a DFT basis, ~70 times fewer operations at the default sizes). Where a bin's two
 * magnitudes are equal the log-magnitude part's subgradient is 0 (tfjs' |·| gives −1 there), so an exact copy has
 * gradient 0. Null where nativeMrStftApplies is false.
 */
export function nativeMrStft(target: tf.Tensor2D, output: tf.Tensor2D, options: MrStftOptions, powerFloor: number, scale: number): NativeMrStft | null {
  const native = activeNative();
  const pairs = sizesAndHops(options);
  if (!native || !pairs || !nativeMrStftApplies(target, output, options)) return null;
  const backend = tf.backend() as unknown as BackendWasm;
  const [batch, length] = output.shape;
  const info = backend.makeOutput(output.shape, 'float32');
  // The heap's buffer only after the last allocation: growing the heap replaces it.
  const parts = native.mrStft(
    heapOf(backend),
    new Float64Array([
      batch,
      length,
      offsetOf(backend, target),
      offsetOf(backend, output),
      offsetOf(backend, info),
      options.scWeight,
      options.magWeight,
      powerFloor,
      scale,
      pairs.length / 2,
      ...pairs,
    ]),
  );
  const gradient = tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D;
  return { sc: parts.subarray(0, batch), lm: parts.subarray(batch), gradient };
}
