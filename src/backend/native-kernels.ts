import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeBinding } from './native';

/**
 * wasm kernels computed by the native addon, in place on the wasm heap (see native.ts). Each function returns null
 * when the call is outside what the native code handles (a dtype, a layout, a broadcast), and the caller then runs
 * the wasm kernel instead; so a native kernel never changes what a model can do, only how fast it runs.
 *
 *  - BatchMatMul, _FusedMatMul: every transpose case read in place (no materialized transposes), bias and
 *    activation fused into the GEMM's last pass over each tile.
 *  - Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter for the models' 1-D convolutions (NHWC, filter height 1):
 *    GEMMs whose rows point into the (zero-padded) signal, so no im2col copy; the transposed convolution runs as
 *    one GEMM per stride phase (no col2im).
 *  - Sum over leading axes (the bias gradients): a column sum.
 *  - LeakyRelu: one pass (its gradient's kernel is in native-critic.ts).
 */

/** The parts of BackendWasm that the native kernels use (not in its public typings). */
interface WasmInternals {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number; refCount: number } | undefined };
}

/** A kernel body given the addon; null: not handled natively. */
export type NativeKernel = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | null;

export function heapOf(backend: unknown): ArrayBuffer {
  return (backend as unknown as WasmInternals).wasm.HEAPU8.buffer as ArrayBuffer;
}

/** Byte offset of a tensor's data in the wasm heap. */
export function offsetOf(backend: unknown, x: tf.TensorInfo): number {
  const d = (backend as unknown as WasmInternals).dataIdMap.get(x.dataId);
  if (d == null) throw new Error('internal: tensor data is not on the wasm backend');
  return d.memoryOffset;
}

/** How many tensors share this data (1: only one tensor holds it, so it may be updated in place). */
export function refCountOf(backend: unknown, x: tf.TensorInfo): number {
  return (backend as unknown as WasmInternals).dataIdMap.get(x.dataId)?.refCount ?? 0;
}

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3, elu: 4, sigmoid: 5 };

const allFloat = (...xs: (tf.TensorInfo | undefined)[]) => xs.every((x) => x == null || x.dtype === 'float32');
const size = (shape: number[]) => tf.util.sizeFromShape(shape);

/**
 * C = op(a)·op(b) (+ bias, activation) on the batch dimensions' broadcast. Null for batch shapes that broadcast
 * other than "equal, or one side a single matrix", and for biases that are not per-column or scalar.
 */
function matMul(
  native: NativeBinding,
  backend: unknown,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: tf.TensorInfo | null,
  activation: string,
  alpha: number,
): tf.TensorInfo | null {
  if (!allFloat(a, b, bias ?? undefined)) return null;
  const act = ACTIVATIONS[activation];
  if (act === undefined) return null;
  if (a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const [ra, ca] = a.shape.slice(-2) as [number, number];
  const [rb, cb] = b.shape.slice(-2) as [number, number];
  const [M, K] = transposeA ? [ca, ra] : [ra, ca];
  const [kB, N] = transposeB ? [cb, rb] : [rb, cb];
  if (K !== kB) return null; // the wasm kernel reports the mismatch
  const batchA = size(outerA);
  const batchB = size(outerB);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null; // the wasm kernel reports it
  }
  // Either both sides hold the same matrices in the same order, or one side is a single matrix.
  if (size(outer) !== Math.max(batchA, batchB) || (batchA !== batchB && Math.min(batchA, batchB) !== 1)) return null;
  const batch = Math.max(batchA, batchB);
  let biasStride = 0;
  if (bias) {
    const n = size(bias.shape);
    if (n === N && N > 1 && bias.shape[bias.shape.length - 1] === N) biasStride = 1;
    else if (n !== 1) return null;
  }
  const outShape = [...outer, M, N];
  const out = (backend as unknown as BackendWasm).makeOutput(outShape, 'float32');
  if (size(outShape) === 0) return out;
  // The heap's buffer only after the last allocation: growing the heap replaces it.
  const heap = heapOf(backend);
  native.matmul(
    heap,
    new Float64Array([
      batch, M, N, K,
      offsetOf(backend, a), transposeA ? 1 : ca, transposeA ? ca : 1, batchA > 1 ? ra * ca : 0,
      offsetOf(backend, b), transposeB ? 1 : cb, transposeB ? cb : 1, batchB > 1 ? rb * cb : 0,
      offsetOf(backend, out), M * N,
      bias ? offsetOf(backend, bias) : -1, biasStride,
      act, alpha,
    ]),
  );
  return out;
}

export function batchMatMulNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    return matMul(native, backend, inputs.a as tf.TensorInfo, inputs.b as tf.TensorInfo, transposeA, transposeB, null, 'linear', 0);
  };
}

export function fusedMatMulNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as tf._FusedMatMulAttrs;
    if (inputs.preluActivationWeights != null) return null;
    const bias = (inputs.bias as tf.TensorInfo | undefined) ?? null;
    return matMul(
      native,
      backend,
      inputs.a as tf.TensorInfo,
      inputs.b as tf.TensorInfo,
      transposeA,
      transposeB,
      bias,
      activation ?? 'linear',
      leakyreluAlpha ?? 0.2,
    );
  };
}

type Conv4 = [number, number, number, number];

/** The geometry of an NHWC convolution with filter height 1 that only slides along the width; null otherwise. */
function conv1dGeometry(
  xShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: tf.Conv2DAttrs['pad'],
  dataFormat: string,
  dimRoundingMode: tf.Conv2DAttrs['dimRoundingMode'],
): Float64Array | null {
  if (dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') return null;
  const info = tf.backend_util.computeConv2DInfo(xShape as Conv4, filterShape as Conv4, strides, dilations, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const ok =
    filterHeight === 1 &&
    info.strideHeight === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    outHeight === inHeight &&
    info.padInfo.left >= 0 &&
    batchSize * inHeight * inWidth * inChannels * outChannels * outWidth > 0;
  if (!ok) return null;
  // params 0..7 of the addon's conv calls; 8..10 are the three tensors' offsets, 11..13 the forward's bias and activation
  return new Float64Array([batchSize * inHeight, inWidth, inChannels, outChannels, filterWidth, info.strideWidth, info.padInfo.left, outWidth, 0, 0, 0, -1, 0, 0]);
}

function runConv(
  native: NativeBinding,
  which: 'conv1d' | 'conv1dDx' | 'conv1dDf',
  backend: unknown,
  params: Float64Array,
  in1: tf.TensorInfo,
  in2: tf.TensorInfo,
  outShape: number[],
): tf.TensorInfo {
  const out = (backend as unknown as BackendWasm).makeOutput(outShape, 'float32');
  params[8] = offsetOf(backend, in1);
  params[9] = offsetOf(backend, in2);
  params[10] = offsetOf(backend, out);
  native[which](heapOf(backend), params);
  return out;
}

/** Conv2D, and FusedConv2D (what tfjs-layers' Conv2D runs) with its bias and activation in the GEMM's epilogue. */
export function conv2DNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const filter = inputs.filter as tf.TensorInfo;
    const bias = inputs.bias as tf.TensorInfo | undefined;
    const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs as unknown as tf.Conv2DAttrs;
    const { activation, leakyreluAlpha } = attrs as unknown as Partial<tf.FusedConv2DAttrs>;
    if (!allFloat(x, filter, bias) || inputs.preluActivationWeights != null) return null;
    const act = ACTIVATIONS[activation ?? 'linear'];
    if (act === undefined) return null;
    const g = conv1dGeometry(x.shape, filter.shape, strides, dilations, pad, dataFormat, dimRoundingMode);
    if (!g) return null;
    if (bias) {
      // Per output channel only (the layers' bias); other broadcasts go to the wasm kernel.
      if (size(bias.shape) !== g[3] || bias.shape[bias.shape.length - 1] !== g[3]) return null;
      g[11] = offsetOf(backend, bias);
    }
    g[12] = act;
    g[13] = leakyreluAlpha ?? 0.2;
    return runConv(native, 'conv1d', backend, g, x, filter, [x.shape[0]!, x.shape[1]!, g[7]!, g[3]!]);
  };
}

export function conv2DBackpropInputNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const dy = inputs.dy as tf.TensorInfo;
    const filter = inputs.filter as tf.TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (!allFloat(dy, filter)) return null;
    const g = conv1dGeometry(inputShape, filter.shape, strides, 1, pad, dataFormat, dimRoundingMode);
    if (!g || dy.shape[2] !== g[7] || dy.shape[3] !== g[3]) return null;
    return runConv(native, 'conv1dDx', backend, g, dy, filter, [...inputShape]);
  };
}

export function conv2DBackpropFilterNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const dy = inputs.dy as tf.TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (!allFloat(x, dy)) return null;
    const g = conv1dGeometry(x.shape, filterShape, strides, 1, pad, dataFormat, dimRoundingMode);
    if (!g || dy.shape[2] !== g[7] || dy.shape[3] !== g[3]) return null;
    return runConv(native, 'conv1dDf', backend, g, x, dy, [...filterShape]);
  };
}

/** Sum over a leading run of axes (what bias gradients reduce), as a column sum; null for other reductions. */
export function sumNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    if (x.dtype !== 'float32' || x.shape.length === 0) return null;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || !axes.every((d, i) => d === i)) return null;
    const rows = size(x.shape.slice(0, axes.length));
    const cols = size(x.shape.slice(axes.length));
    // Whole-tensor sums and short narrow ones gain nothing from a column sum; leave them to the wasm kernel. Narrow
    // sums over many rows (the bias gradients of convolutions with few channels: [batch·width, channels]) do: the
    // wasm kernel transposes them first.
    if (rows === 0 || cols < 8 || (cols < 64 && rows < 1024)) return null;
    const outShape = keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
    const out = (backend as unknown as BackendWasm).makeOutput(outShape, 'float32');
    native.sumRows(heapOf(backend), new Float64Array([rows, cols, offsetOf(backend, x), offsetOf(backend, out)]));
    return out;
  };
}

/** LeakyRelu (the conv autoencoder's encoder) in one native pass, as tfjs computes it: x < 0 ? α·x : x. */
export function leakyReluNative(native: NativeBinding): NativeKernel {
  return ({ inputs, backend, attrs }) => {
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype !== 'float32') return null;
    const { alpha } = attrs as unknown as tf.LeakyReluAttrs;
    const out = (backend as unknown as BackendWasm).makeOutput(x.shape, 'float32');
    const n = size(x.shape);
    if (n > 0) native.leakyRelu(heapOf(backend), new Float64Array([n, offsetOf(backend, x), offsetOf(backend, out), alpha]));
    return out;
  };
}
