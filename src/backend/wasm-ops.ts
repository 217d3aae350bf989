import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Runs wasm kernels directly on TensorInfos from inside another wasm kernel, and frees every intermediate.
 *
 * WHY not tf ops: a kernelFunc must return backend data (TensorInfo), and ops called inside a kernel would create
 * engine-tracked Tensors whose lifetimes the engine's scope rules (not ours) decide. Calling the registered wasm
 * kernel functions is what the wasm backend itself does inside its own kernels (e.g. BatchMatMul calls reshape),
 * keeps the engine's tensor count untouched, and lets `dispose()` free exactly what this kernel created.
 */
export class WasmOps {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    readonly backend: BackendWasm,
    /** The unpatched no-transpose BatchMatMul (XNNPACK path for rank-2 / batch-1 inputs). */
    private readonly rawMatMul: tf.KernelFunc,
  ) {}

  /** A shape-only view that shares `x`'s data; not tracked, never disposed, never returned from a kernel. */
  view(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    if (tf.util.sizeFromShape(shape) !== tf.util.sizeFromShape(x.shape)) {
      throw new Error(`internal: view of [${x.shape}] as [${shape}] changes the size`);
    }
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  /** Zero padding; `paddings[i] = [before, after]` for every axis. */
  pad(x: tf.TensorInfo, paddings: [number, number][]): tf.TensorInfo {
    return this.run('PadV2', { x }, { paddings, constantValue: 0 });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  stridedSlice(x: tf.TensorInfo, begin: number[], end: number[], strides: number[]): tf.TensorInfo {
    return this.run(
      'StridedSlice',
      { x },
      { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  concat(xs: tf.TensorInfo[], axis: number): tf.TensorInfo {
    if (xs.length === 1) return xs[0];
    // Concat and AddN take their inputs as an array, not a name map.
    return this.run('Concat', xs as unknown as tf.NamedTensorInfoMap, { axis });
  }

  addN(xs: tf.TensorInfo[]): tf.TensorInfo {
    if (xs.length === 1) return xs[0];
    return this.run('AddN', xs as unknown as tf.NamedTensorInfoMap, {});
  }

  /**
   * conv2d through the stock kernel (XNNPACK); NHWC, explicit strides and dilations, 'valid' padding.
   * (The tf.conv2d op forbids strides and dilations both > 1; the kernel itself does not care, we use stride 1.)
   */
  conv2dValid(x: tf.TensorInfo, filter: tf.TensorInfo, strides: [number, number], dilations: [number, number]): tf.TensorInfo {
    return this.run('Conv2D', { x, filter }, { strides, pad: 'valid', dataFormat: 'NHWC', dilations });
  }

  /** A new float32 buffer filled with zeros. */
  zeros(shape: number[]): tf.TensorInfo {
    const out = this.track(this.backend.makeOutput(shape, 'float32'));
    this.heap(out).fill(0);
    return out;
  }

  /**
   * The float32 data of `x` in the wasm heap, as a live view (no copy). Take views only after the last allocation:
   * growing the heap detaches earlier views.
   */
  heap(x: tf.TensorInfo): Float32Array {
    return this.backend.typedArrayFromHeap(x) as Float32Array;
  }

  /** a[M,K]·b[K,N] through the original kernel: XNNPACK packs `b` (the "weights") and streams the rows of `a`. */
  matMulRaw(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    const out = this.rawMatMul({ inputs: { a, b }, backend: this.backend, attrs: { transposeA: false, transposeB: false } });
    return this.track(single(out));
  }

  /**
   * The kernel's output: takes one reference to `x`'s data out of the intermediates (so it survives `dispose()`)
   * and returns it with the requested shape. `x` may be a view of an intermediate.
   */
  output(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    const i = this.temps.findIndex((t) => t.dataId === x.dataId);
    if (i < 0) throw new Error('internal: output() of data that this kernel did not create');
    this.temps.splice(i, 1);
    return this.view(x, shape);
  }

  /** Frees intermediates early (to lower peak memory); they must not be used afterwards. */
  free(xs: tf.TensorInfo[]): void {
    for (const x of xs) {
      const i = this.temps.indexOf(x);
      if (i < 0) continue; // a view or an input: not ours to free
      this.temps.splice(i, 1);
      this.backend.disposeData(x.dataId);
    }
  }

  dispose(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }

  private run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo {
    const { kernelFunc } = tf.getKernel(kernelName, 'wasm');
    return this.track(single(kernelFunc({ inputs, backend: this.backend, attrs })));
  }

  private track(x: tf.TensorInfo): tf.TensorInfo {
    this.temps.push(x);
    return x;
  }
}

function single(x: tf.TensorInfo | tf.TensorInfo[]): tf.TensorInfo {
  if (Array.isArray(x)) {
    if (x.length !== 1) throw new Error(`internal: expected one output, got ${x.length}`);
    return x[0];
  }
  return x;
}

/**
 * C = op(A)·op(B) for rank-2 float32 operands on the XNNPACK path, choosing which operand XNNPACK packs.
 *
 * XNNPACK's fully-connected operator packs its second operand ("weights") every time a new tensor is used there,
 * and runs only without transposes. Two arrangements reach it:
 *   direct : op(A)·op(B)           — materialize op(A), op(B); packs op(B) (K×N)
 *   swapped: (op(B)ᵀ·op(A)ᵀ)ᵀ      — materialize op(B)ᵀ, op(A)ᵀ and transpose the N×M result; packs op(A)ᵀ (K×M)
 * A transposed operand is already stored in the layout the swapped form wants, so e.g. dy·Wᵀ with a big W costs
 * only small transposes when swapped. Measured on this machine (src/bench/kernels.ts) packing and transposing cost
 * about the same per element, so the cost model counts the elements packed plus the elements transposed.
 */
export function matMulViaXnn(
  ops: WasmOps,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo {
  const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const N = transposeB ? b.shape[0] : b.shape[1];
  if (chooseArrangement(M, K, N, transposeA, transposeB) === 'direct') {
    const a2 = transposeA ? ops.transpose(a, [1, 0]) : a;
    const b2 = transposeB ? ops.transpose(b, [1, 0]) : b;
    return ops.matMulRaw(a2, b2);
  }
  const bt = transposeB ? b : ops.transpose(b, [1, 0]); // [N,K]
  const at = transposeA ? a : ops.transpose(a, [1, 0]); // [K,M]
  return ops.transpose(ops.matMulRaw(bt, at), [1, 0]);
}

export type Arrangement = 'direct' | 'swapped';

/** The cheaper arrangement by elements packed + elements transposed (see matMulViaXnn). */
export function chooseArrangement(M: number, K: number, N: number, transposeA: boolean, transposeB: boolean): Arrangement {
  const direct = K * N + (transposeA ? K * M : 0) + (transposeB ? K * N : 0);
  const swapped = K * M + (transposeA ? 0 : K * M) + (transposeB ? 0 : K * N) + M * N;
  return direct <= swapped ? 'direct' : 'swapped';
}
