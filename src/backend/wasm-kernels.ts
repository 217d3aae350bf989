import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { matMulViaXnn, WasmOps } from './wasm-ops';

/**
 * Kernel replacements for the wasm backend (tfjs-backend-wasm 4.22), registered by initBackend when it picks wasm:
 *  - BatchMatMul with transposeA/transposeB: the stock kernel runs a scalar loop (~2.5 GFLOP/s) whenever a flag is
 *    set, and training's gradients always set one. We materialize the transpose and run the XNNPACK path (~25).
 *  - Conv2DBackpropFilter: missing, so conv training cannot run at all. im2col (strided slices) + one matMul.
 *  - Conv2DBackpropInput: the stock kernel is a naive loop (~1.5 GFLOP/s). For the 1-D convolutions of the
 *    models (filter height 1) it becomes per-tap-group matMuls + col2im by shifted adds; other cases keep the stock
 *    kernel.
 * Each replacement keeps the stock kernel's setupFunc (which wires the C++ functions the stock kernel calls).
 */
export const PATCHED_KERNELS = ['BatchMatMul', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;
export type PatchedKernel = (typeof PATCHED_KERNELS)[number];

/** Marks our kernel functions, so that registering twice (or from two copies of this module) is a no-op. */
const PATCH_MARK = Symbol.for('sampgen.wasmKernelPatch');

type Conv4 = [number, number, number, number];

/** Registers the replacements (idempotent); returns the names of the patched kernels. */
export function registerWasmKernelPatches(): PatchedKernel[] {
  const rawMatMul = unpatched('BatchMatMul');
  replaceKernel('BatchMatMul', batchMatMulKernel(rawMatMul));
  replaceKernel('Conv2DBackpropFilter', conv2DBackpropFilterKernel(rawMatMul));
  replaceKernel('Conv2DBackpropInput', conv2DBackpropInputKernel(rawMatMul, unpatched('Conv2DBackpropInput')));
  return [...PATCHED_KERNELS];
}

/** Whether the wasm kernel registered under `name` is ours. */
export function isPatched(name: PatchedKernel): boolean {
  const k = tf.getKernel(name, 'wasm');
  return k != null && PATCH_MARK in k.kernelFunc;
}

type Patched = tf.KernelFunc & { [PATCH_MARK]: tf.KernelFunc | null };

/** The stock kernel function (seen through our replacement if it is already registered). */
function unpatched(name: PatchedKernel): tf.KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) throw new Error(`the wasm backend has no ${name} kernel to patch (is @tensorflow/tfjs-backend-wasm loaded?)`);
  const original = (k.kernelFunc as Partial<Patched>)[PATCH_MARK];
  if (original === null) throw new Error(`internal: ${name} has no stock kernel`);
  return original ?? k.kernelFunc;
}

function replaceKernel(name: PatchedKernel, kernelFunc: tf.KernelFunc): void {
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
 * im2col in transposed form: x goes channel-first ([Cin,N,H,W]) once, so each filter tap is one strided slice
 * [Cin,N,OH,OW] and stacking the taps along axis 0 gives colsᵀ [FH·FW·Cin, N·OH·OW] directly, with rows in the
 * filter's (fh,fw,ci) order. Then dW = colsᵀ·dy is a single no-transpose matMul whose packed operand is dy
 * (N·OH·OW × Cout), the smaller one for these layers, and whose [FH·FW·Cin, Cout] result is already the filter layout.
 */
function conv2DBackpropFilterKernel(rawMatMul: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const dy = args.inputs.dy as tf.TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter: only float32 is supported');
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(x.shape as Conv4, filterShape, strides, 1, pad, dimRoundingMode, false, format);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: Cin, outChannels: Cout } = info;
    const { outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = info;
    const { top, left } = info.padInfo;
    const P = N * OH * OW;

    const ops = new WasmOps(args.backend as BackendWasm, rawMatMul);
    try {
      if (P === 0) throw new Error('Conv2DBackpropFilter: empty output gradient');
      const channelsLast = info.dataFormat === 'channelsLast';
      const xc = ops.transpose(x, channelsLast ? [3, 0, 1, 2] : [1, 0, 2, 3]); // [Cin,N,H,W]
      // The last tap must fit; positions beyond the input read as zeros (as in the reference kernels).
      const bottom = Math.max(info.padInfo.bottom, (OH - 1) * sh + FH - H - top, 0);
      const right = Math.max(info.padInfo.right, (OW - 1) * sw + FW - W - left, 0);
      const xp = top || bottom || left || right ? ops.pad(xc, [[0, 0], [0, 0], [top, bottom], [left, right]]) : xc;
      if (xp !== xc) ops.free([xc]);
      const taps: tf.TensorInfo[] = [];
      for (let fh = 0; fh < FH; fh++) {
        for (let fw = 0; fw < FW; fw++) {
          const end = [Cin, N, fh + (OH - 1) * sh + 1, fw + (OW - 1) * sw + 1];
          taps.push(ops.stridedSlice(xp, [0, 0, fh, fw], end, [1, 1, sh, sw]));
        }
      }
      const colsT = ops.concat(taps, 0); // [FH·FW·Cin, N, OH, OW]
      if (taps.length > 1) ops.free([xp, ...taps]);
      const dy2d = channelsLast ? ops.view(dy, [P, Cout]) : ops.view(ops.transpose(dy, [0, 2, 3, 1]), [P, Cout]);
      const dw = ops.matMulRaw(ops.view(colsT, [FH * FW * Cin, P]), dy2d);
      return ops.output(dw, [FH, FW, Cin, Cout]);
    } finally {
      ops.dispose();
    }
  };
}

/**
 * dx[n, i, ci] = Σ_{ow,fw : ow·s+fw = i+padLeft} Σ_co dy[n,ow,co] · W[fw,ci,co]   (height 1, NHWC)
 *
 * Write fw = q·s + r (the filter zero-padded to Q·s taps, Q = ⌈FW/s⌉). Then the padded position is (ow+q)·s + r,
 * so for each q one matMul dy[P,Cout]·W_qᵀ[Cout, s·Cin] gives, for every ow, the s·Cin values that land in the
 * s-wide output block ow+q. col2im is then Q block-shifted copies (a zero pad of q blocks in front) summed with
 * one AddN, and a crop of padLeft. The packed operand of each matMul is a small W_q slice, and no big tensor is
 * transposed.
 */
function conv2DBackpropInputKernel(rawMatMul: tf.KernelFunc, stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const dy = args.inputs.dy as tf.TensorInfo;
    const filter = args.inputs.filter as tf.TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Conv4, strides, 1, pad, dimRoundingMode, false, format);
    const { batchSize: N, inHeight: H, inWidth: W, inChannels: Cin, outChannels: Cout } = info;
    const { outWidth: OW, filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: s } = info;
    const oneD =
      info.dataFormat === 'channelsLast' && FH === 1 && sh === 1 && info.padInfo.top === 0 && info.padInfo.bottom === 0;
    if (!oneD || dy.dtype !== 'float32' || filter.dtype !== 'float32' || N * H * OW * Cin * Cout === 0) return stock(args);

    const ops = new WasmOps(args.backend as BackendWasm, rawMatMul);
    try {
      const NH = N * H; // height 1 filter, stride 1, no vertical padding: rows are independent 1-D signals
      const Q = Math.ceil(FW / s);
      const sC = s * Cin;
      const padLeft = info.padInfo.left;
      const dy2d = ops.view(dy, [NH * OW, Cout]);
      let f = ops.view(filter, [FW, Cin * Cout]);
      if (Q * s > FW) f = ops.pad(f, [[0, Q * s - FW], [0, 0]]);
      const fq = ops.transpose(ops.view(f, [Q, sC, Cout]), [0, 2, 1]); // [Q, Cout, s·Cin]: W_qᵀ, contiguous per q
      const parts: tf.TensorInfo[] = [];
      for (let q = 0; q < Q; q++) {
        const wq = ops.view(ops.slice(fq, [q, 0, 0], [1, Cout, sC]), [Cout, sC]);
        const block = ops.view(ops.matMulRaw(dy2d, wq), [NH, OW, sC]); // lands in output blocks ow+q
        parts.push(Q === 1 ? block : ops.pad(block, [[0, 0], [q, Q - 1 - q], [0, 0]]));
      }
      const sum = ops.addN(parts); // [NH, OW+Q-1, s·Cin] = padded dx, one s-wide block per row
      const have = (OW + Q - 1) * sC;
      const need = (padLeft + W) * Cin;
      let flat = ops.view(sum, [NH, have]);
      if (have < need) flat = ops.pad(flat, [[0, 0], [0, need - have]]); // input tail no output touched: zero
      const dx = padLeft === 0 && flat.shape[1] === W * Cin ? flat : ops.slice(flat, [0, padLeft * Cin], [NH, W * Cin]);
      return ops.output(dx, [N, H, W, Cin]);
    } finally {
      ops.dispose();
    }
  };
}
