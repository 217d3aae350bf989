import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { matMulViaXnn, WasmOps } from './wasm-ops';
import type { NativeBinding } from './native';
import { registerCriticKernels } from './native-critic';
import {
  batchMatMulNative,
  conv2DBackpropFilterNative,
  conv2DBackpropInputNative,
  conv2DNative,
  fusedMatMulNative,
  leakyReluNative,
  NativeKernel,
  sumNative,
} from './native-kernels';

/**
 * Kernel replacements for the wasm backend (tfjs-backend-wasm 4.22), registered by initBackend when it picks wasm:
 *  - BatchMatMul with transposeA/transposeB: the stock kernel runs a scalar loop (~2.5 GFLOP/s) whenever a flag is
 *    set, and training's gradients always set one. We materialize the transpose and run the XNNPACK path (~25).
 *  - Conv2DBackpropFilter: missing, so conv training cannot run at all. Rewritten as a stride-1 dilated Conv2D
 *    (the stock XNNPACK kernel) with batch and channels exchanged.
 *  - Conv2DBackpropInput: the stock kernel is a naive loop (~1.5 GFLOP/s). NHWC (the models' 1-D convs as
 *    [batch, 1, width, ch], and 2-D) becomes one XNNPACK matMul + col2im; NCHW keeps the stock kernel.
 *  - Identity: the stock kernel copies the data. The engine clones every tensor it saves for the backward pass
 *    (saveTensorsForBackwardMode), so a training step copied each weight matrix and activation once more (~10% of
 *    the big dense model's step). Tensors are immutable, so the clone shares the data and counts a reference, as
 *    the cpu and webgl backends' Identity (and the wasm Reshape) do.
 * Each replacement keeps the stock kernel's setupFunc (which wires the C++ functions the stock kernel calls).
 *
 * When sampgen's native addon is loaded (native.ts), the kernels in NATIVE_KERNELS first try its version (see
 * native-kernels.ts) and fall back to the kernels above, or to the stock ones, for calls it does not handle.
 */
export const PATCHED_KERNELS = ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Identity'] as const;
export type PatchedKernel = (typeof PATCHED_KERNELS)[number];

/** Kernels with a native version, used while the addon is loaded and enabled. */
export const NATIVE_KERNELS = ['BatchMatMul', '_FusedMatMul', 'Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Sum', 'LeakyRelu'] as const;
export type NativeKernelName = (typeof NATIVE_KERNELS)[number];
type AnyPatched = PatchedKernel | NativeKernelName;

/** Marks our kernel functions, so that registering twice (or from two copies of this module) is a no-op. */
const PATCH_MARK = Symbol.for('sampgen.wasmKernelPatch');

type Conv4 = [number, number, number, number];

/** The addon behind the native kernels (null: none), and whether they are used now. */
const nativeState: { binding: NativeBinding | null; enabled: boolean } = { binding: null, enabled: false };

/**
 * Registers the replacements (idempotent); returns the names of the wasm patches. With `native`, the kernels in
 * NATIVE_KERNELS use it from now on (until setNativeKernelsEnabled(false)).
 */
export function registerWasmKernelPatches(native: NativeBinding | null = null): PatchedKernel[] {
  const rawMatMul = unpatched('BatchMatMul');
  const withNative = (name: NativeKernelName, fallback: tf.KernelFunc): tf.KernelFunc => {
    const make = NATIVE_IMPLS[name];
    let impl: NativeKernel | null = null;
    let implFor: NativeBinding | null = null;
    return (args) => {
      const binding = nativeState.binding;
      if (binding && nativeState.enabled) {
        if (implFor !== binding) {
          impl = make(binding);
          implFor = binding;
        }
        const out = impl!(args);
        if (out) return out;
      }
      return fallback(args);
    };
  };
  replaceKernel('BatchMatMul', withNative('BatchMatMul', batchMatMulKernel(rawMatMul)));
  replaceKernel('Conv2DBackpropFilter', withNative('Conv2DBackpropFilter', conv2DBackpropFilterKernel(rawMatMul)));
  replaceKernel(
    'Conv2DBackpropInput',
    withNative('Conv2DBackpropInput', conv2DBackpropInputKernel(rawMatMul, unpatched('Conv2DBackpropInput'))),
  );
  replaceKernel('Identity', identityKernel);
  for (const name of ['_FusedMatMul', 'Conv2D', 'FusedConv2D', 'Sum', 'LeakyRelu'] as const) {
    replaceKernel(name, withNative(name, unpatched(name)));
  }
  // The critic's fused ops (critic-ops.ts) run these only while the native kernels are active; so does LeakyRelu's
  // gradient.
  registerCriticKernels(activeNative);
  if (native) {
    nativeState.binding = native;
    nativeState.enabled = true;
  }
  return [...PATCHED_KERNELS];
}

const NATIVE_IMPLS: Record<NativeKernelName, (n: NativeBinding) => NativeKernel> = {
  BatchMatMul: batchMatMulNative,
  _FusedMatMul: fusedMatMulNative,
  Conv2D: conv2DNative,
  FusedConv2D: conv2DNative,
  Conv2DBackpropFilter: conv2DBackpropFilterNative,
  Conv2DBackpropInput: conv2DBackpropInputNative,
  Sum: sumNative,
  LeakyRelu: leakyReluNative,
};

/**
 * Turns the native kernels on or off (tests and benchmarks compare both paths in one process); a no-op returning
 * false when no addon was registered.
 */
export function setNativeKernelsEnabled(enabled: boolean): boolean {
  if (!nativeState.binding) return false;
  nativeState.enabled = enabled;
  return true;
}

/** The addon while the native kernels are in use on wasm, else null. */
export function activeNative(): NativeBinding | null {
  return nativeState.enabled ? nativeState.binding : null;
}

/** Whether the wasm kernel registered under `name` is ours. */
export function isPatched(name: AnyPatched): boolean {
  const k = tf.getKernel(name, 'wasm');
  return k != null && PATCH_MARK in k.kernelFunc;
}

/** The stock wasm kernel behind a patch (null where wasm has none: Conv2DBackpropFilter); for benchmarks. */
export function stockKernel(name: AnyPatched): tf.KernelFunc | null {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) return null;
  const original = (k.kernelFunc as Partial<Patched>)[PATCH_MARK];
  return original === undefined ? k.kernelFunc : original;
}

type Patched = tf.KernelFunc & { [PATCH_MARK]: tf.KernelFunc | null };

/** The stock kernel function (seen through our replacement if it is already registered). */
function unpatched(name: AnyPatched): tf.KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) throw new Error(`the wasm backend has no ${name} kernel to patch (is @tensorflow/tfjs-backend-wasm loaded?)`);
  const original = (k.kernelFunc as Partial<Patched>)[PATCH_MARK];
  if (original === null) throw new Error(`internal: ${name} has no stock kernel`);
  return original ?? k.kernelFunc;
}

function replaceKernel(name: AnyPatched, kernelFunc: tf.KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (current != null && PATCH_MARK in current.kernelFunc) return; // already ours
  const stock = current?.kernelFunc ?? null;
  const marked = Object.assign(kernelFunc, { [PATCH_MARK]: stock }) as Patched;
  if (current != null) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: marked,
    // The stock setupFunc binds the C++ entry points that the stock kernelFunc (which we still call) uses.
    setupFunc: current?.setupFunc,
    disposeFunc: current?.disposeFunc,
  });
}

/** A new reference to the same data (see the header: why the copy is pointless). */
const identityKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
};

function batchMatMulKernel(rawMatMul: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const a = args.inputs.a as tf.TensorInfo;
    const b = args.inputs.b as tf.TensorInfo;
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const outerA = a.shape.slice(0, -2);
    const outerB = b.shape.slice(0, -2);
    const [ra, ca] = a.shape.slice(-2);
    const [rb, cb] = b.shape.slice(-2);
    const kA = transposeA ? ra : ca;
    const kB = transposeB ? cb : rb;
    const useStock =
      (!transposeA && !transposeB) || // already the XNNPACK path
      a.dtype !== 'float32' ||
      b.dtype !== 'float32' ||
      // Batched products take the scalar loop with or without transposes; nothing to gain by materializing.
      tf.util.sizeFromShape(outerA) !== 1 ||
      tf.util.sizeFromShape(outerB) !== 1 ||
      kA !== kB || // the stock kernel reports the mismatch
      tf.util.sizeFromShape(a.shape) === 0 ||
      tf.util.sizeFromShape(b.shape) === 0;
    if (useStock) return rawMatMul(args);

    const ops = new WasmOps(args.backend as BackendWasm, rawMatMul);
    try {
      const c = matMulViaXnn(ops, ops.view(a, [ra, ca]), ops.view(b, [rb, cb]), transposeA, transposeB);
      const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
      return ops.output(c, [...outer, ...c.shape]);
    } finally {
      ops.dispose();
    }
  };
}

/**
 * dW[fh,fw,ci,co] = Σ_{n,oh,ow} xpad[n, oh·sh+fh, ow·sw+fw, ci] · dy[n,oh,ow,co]
 *
 * This is itself a 'valid' convolution with stride 1 and dilation (sh,sw): take the input channels as the batch and
 * the batch as the channels, X'[ci, h, w, n] = xpad[n,h,w,ci], and dy as the filter, F'[oh, ow, n, co]; then
 * Y[ci, fh, fw, co] = Σ_{oh,ow,n} X'[ci, fh + oh·sh, fw + ow·sw, n] · F'[oh,ow,n,co] = dW[fh,fw,ci,co].
 * The stock wasm Conv2D (XNNPACK, indirect GEMM) runs it without materializing im2col: measured 17–28 GFLOP/s on
 * the conv autoencoder's layers 2–5, where an im2col built from wasm StridedSlice (~100 ns/element) reached < 3.
 */
function conv2DBackpropFilterKernel(rawMatMul: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter: only float32 is supported');
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(x.shape as Conv4, filterShape, strides, 1, pad, dimRoundingMode, false, format);
    const { inHeight: H, inWidth: W, inChannels: Cin, outChannels: Cout, outHeight: OH, outWidth: OW } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    if (tf.util.sizeFromShape(dy.shape) === 0 || tf.util.sizeFromShape(x.shape) === 0) {
      throw new Error('Conv2DBackpropFilter: empty input or output gradient');
    }

    const ops = new WasmOps(args.backend as BackendWasm, rawMatMul);
    try {
      const channelsLast = info.dataFormat === 'channelsLast';
      const [hAxis, wAxis] = channelsLast ? [1, 2] : [2, 3];
      // Pad so that the last tap of the last output lands inside: exactly (OH-1)·sh + FH rows when x is not longer.
      const bottom = Math.max((OH - 1) * sh + FH - H - top, 0);
      const right = Math.max((OW - 1) * sw + FW - W - left, 0);
      const paddings: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
      paddings[hAxis] = [top, bottom];
      paddings[wAxis] = [left, right];
      const xp = top || bottom || left || right ? ops.pad(x, paddings) : x;
      const xT = ops.transpose(xp, channelsLast ? [3, 1, 2, 0] : [1, 2, 3, 0]); // [Cin, Hp, Wp, N]
      if (xp !== x) ops.free([xp]);
      const f = ops.transpose(dy, channelsLast ? [1, 2, 0, 3] : [2, 3, 0, 1]); // [OH, OW, N, Cout]
      let y = ops.conv2dValid(xT, f, [1, 1], [sh, sw]); // [Cin, ≥FH, ≥FW, Cout]
      ops.free([xT, f]);
      // Rows of x beyond the last tap (a 'valid' remainder) make the result longer than the filter: crop.
      if (y.shape[1] !== FH || y.shape[2] !== FW) y = ops.slice(y, [0, 0, 0, 0], [Cin, FH, FW, Cout]);
      const dw = Cin === 1 ? y : ops.transpose(y, [1, 2, 0, 3]); // [FH, FW, Cin, Cout]
      return ops.output(dw, [FH, FW, Cin, Cout]);
    } finally {
      ops.dispose();
    }
  };
}

/**
 * dx[n, i, j, ci] = Σ over (oh,fh) with oh·sh+fh = i+top, (ow,fw) with ow·sw+fw = j+left, of Σ_co dy[n,oh,ow,co]·W[fh,fw,ci,co]
 *
 * One matMul gives every output pixel's contribution to its FH×FW input patch, cols = dy[P,Cout]·W[FH·FW·Cin,Cout]ᵀ
 * (XNNPACK; the small filter is the packed operand), then col2im adds each patch row into dx. col2im is a plain
 * loop over the wasm heap (as the stock Slice and Concat kernels are): each (pixel, fh) adds one contiguous run of
 * up to FW·Cin floats. Built from wasm kernels instead (per-tap slices, pads and AddN) it ran 2–3× slower.
 * NCHW keeps the stock kernel.
 */
function conv2DBackpropInputKernel(rawMatMul: tf.KernelFunc, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const dy = args.inputs.dy as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Conv4, strides, 1, pad, dimRoundingMode, false, format);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: Cin, outChannels: Cout, outHeight: OH, outWidth: OW } = info;
    const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const useStock =
      info.dataFormat !== 'channelsLast' ||
      dy.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      tf.util.sizeFromShape(dy.shape) === 0 ||
      tf.util.sizeFromShape(inputShape) === 0;
    if (useStock) return stock(args);

    const ops = new WasmOps(args.backend as BackendWasm, rawMatMul);
    try {
      const patch = FH * FW * Cin;
      const cols = matMulViaXnn(ops, ops.view(dy, [N * OH * OW, Cout]), ops.view(filter, [patch, Cout]), false, true);
      const dx = ops.zeros([N, H, W, Cin]);
      const src = ops.heap(cols); // views after the last allocation
      const dst = ops.heap(dx);
      const rowRun = W * Cin;
      for (let n = 0; n < N; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            const j0 = ow * sw - left; // input column of tap fw = 0
            const fw0 = Math.max(0, -j0);
            const fw1 = Math.min(FW, W - j0);
            if (fw1 <= fw0) continue;
            const pixel = ((n * OH + oh) * OW + ow) * patch;
            for (let fh = 0; fh < FH; fh++) {
              const i = oh * sh - top + fh;
              if (i < 0 || i >= H) continue;
              const from = pixel + (fh * FW + fw0) * Cin;
              const to = (n * H + i) * rowRun + (j0 + fw0) * Cin;
              const len = (fw1 - fw0) * Cin;
              for (let k = 0; k < len; k++) dst[to + k] += src[from + k];
            }
          }
        }
      }
      return ops.output(dx, [N, H, W, Cin]);
    } finally {
      ops.dispose();
    }
  };
}
