import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeBinding } from '../backend/native';
import { heapOf, offsetOf, refCountOf } from '../backend/native-kernels';
import { activeNative } from '../backend/wasm-kernels';
import type { FusedAdamStep, NativeAdamOptimizer } from '../backend/native-adam';

/**
 * A dense network's training step computed by hand on sampgen's native kernels: forward, the MSE loss and the
 * backward pass as a dozen native calls on the wasm heap, with no tfjs tape, no layer machinery and no elementwise
 * kernels between them. The optimizer update stays tfjs' (optimizer.applyGradients with these gradients), so its
 * state, checkpoints and resume are those of the tfjs step.
 *
 * WHY: the dense models' step is a few large products and many tiny ops. Through tfjs-layers and the tape, the small
 * autoencoder's step ran about 100 kernels (reshapes, identities, bias sums, activation gradients) whose dispatch took
 * more time than its arithmetic: half of its 5 ms step was outside any kernel (`bench:train --profile`). Here each
 * layer costs three native products and a column sum; the hidden layers' activations and their derivatives (at most
 * [batch × 384] values) are loops over the heap.
 *
 * It computes what tfjs' autodiff computes for these networks, through the same native products for the large
 * layers (test/train/native-dense-step.test.ts compares gradients and trained weights with the tfjs step). It applies
 * only where every layer is a stock Dense layer with a linear, relu, tanh or sigmoid activation and no regularizer
 * or constraint, and the native kernels run on wasm; the trainers use the tfjs step everywhere else.
 */

/** The activations a fast step handles: code in the native GEMM's epilogue, or null where it runs after it. */
const ACTIVATIONS = { linear: 0, relu: 1, sigmoid: 5, tanh: null } as const;
type ActivationName = keyof typeof ACTIVATIONS;

/** One Dense layer's weights and activation. */
export interface DenseLayerSpec {
  kernel: tf.Variable;
  bias: tf.Variable | null;
  activation: ActivationName;
  inputs: number;
  units: number;
}

/** The parts of tfjs-layers' Dense layer read here (not in its public typings). */
interface DenseInternals {
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
  useBias?: boolean;
  activation?: { getClassName(): string };
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  trainable: boolean;
}

/** A Dense layer as a spec, or null where the fast step would not compute what tfjs computes for it. */
export function denseLayerSpec(layer: tf.layers.Layer): DenseLayerSpec | null {
  if (layer.getClassName() !== 'Dense') return null;
  const d = layer as unknown as DenseInternals;
  if (!d.trainable || d.kernelRegularizer || d.biasRegularizer || d.activityRegularizer || d.kernelConstraint || d.biasConstraint) return null;
  const activation = (d.activation?.getClassName() ?? 'Linear').toLowerCase();
  if (!(activation in ACTIVATIONS) || !d.kernel) return null;
  const kernel = d.kernel.read() as tf.Variable;
  if (kernel.dtype !== 'float32' || kernel.shape.length !== 2) return null;
  const bias = d.useBias && d.bias ? (d.bias.read() as tf.Variable) : null;
  return { kernel, bias, activation: activation as ActivationName, inputs: kernel.shape[0]!, units: kernel.shape[1]! };
}

/**
 * The Dense layers of a model that is exactly one input followed by a straight chain of Dense layers ending at its
 * only output, in order; null for anything else (branches, other layer types, several inputs or outputs).
 */
export function denseChainOf(model: tf.LayersModel): DenseLayerSpec[] | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const [first, ...rest] = model.layers;
  if (!first || first.getClassName() !== 'InputLayer' || rest.length === 0) return null;
  const specs = straightChain(first, rest, model.inputs[0]!.shape[1]);
  if (!specs || model.outputs[0]!.sourceLayer !== rest[rest.length - 1]) return null;
  return specs;
}

/**
 * `layers` as specs where each is a Dense layer the native step handles and reads exactly the previous one's output
 * (the first reads `input`, whose width is `width`); null otherwise.
 */
function straightChain(input: tf.layers.Layer, layers: tf.layers.Layer[], width: number | null): DenseLayerSpec[] | null {
  const specs: DenseLayerSpec[] = [];
  let previous = input;
  for (const layer of layers) {
    const spec = denseLayerSpec(layer);
    if (!spec || spec.inputs !== width || !readsOnlyFrom(layer, previous)) return null;
    specs.push(spec);
    width = spec.units;
    previous = layer;
  }
  return specs;
}

/** Whether `layer`'s first application reads exactly the output of `previous` (the graph, not only the widths). */
function readsOnlyFrom(layer: tf.layers.Layer, previous: tf.layers.Layer): boolean {
  const inbound = (layer as unknown as { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] }).inboundNodes[0]?.inboundLayers ?? [];
  return inbound.length === 1 && inbound[0] === previous;
}

/** The native binding when a fast step can run now (native kernels active on the wasm backend), else null. */
export function fastStepNative(): NativeBinding | null {
  const native = activeNative();
  return native && tf.getBackend() === 'wasm' ? native : null;
}

/** Tensors of one step on the wasm heap, made before any pointer into the heap is taken. */
export class HeapScratch {
  private readonly tensors: tf.Tensor[] = [];
  readonly backend = tf.backend() as unknown as BackendWasm;

  make(shape: number[]): tf.Tensor {
    const t = tf.engine().makeTensorFromTensorInfo(this.backend.makeOutput(shape, 'float32'));
    this.tensors.push(t);
    return t;
  }

  offset(t: tf.TensorInfo): number {
    return offsetOf(this.backend, t);
  }

  /** The heap after the last allocation (growing the heap replaces its buffer). */
  heap(): ArrayBuffer {
    return heapOf(this.backend);
  }

  view(heap: ArrayBuffer, t: tf.Tensor): Float32Array {
    return new Float32Array(heap, this.offset(t), t.size);
  }

  /** Disposes every tensor made here except `keep`. */
  release(keep: Set<tf.Tensor> = new Set()): void {
    for (const t of this.tensors) if (!keep.has(t)) t.dispose();
    this.tensors.length = 0;
  }
}

/** Whether `t` lives on the wasm heap (a tensor made on another backend moves only when a kernel reads it). */
export function onWasmHeap(t: tf.Tensor): boolean {
  return t.dtype === 'float32' && refCountOf(tf.backend(), t) > 0;
}

/** Params 18..28 of the addon's matmul that ask for no fused Adam update (where params 29..30 follow). */
const NO_FUSED_ADAM = [-1, ...Array<number>(10).fill(0)];

/** C = op(A)·op(B) (+ bias, epilogue activation) through the addon's GEMM; offsets in bytes, strides in elements. */
function gemm(
  native: NativeBinding,
  heap: ArrayBuffer,
  M: number,
  N: number,
  K: number,
  a: { off: number; rs: number; cs: number },
  b: { off: number; rs: number; cs: number },
  c: number,
  bias = -1,
  activation = 0,
  adam: number[] = [],
  mse: number[] = [],
): number {
  const fused = mse.length > 0 ? [...(adam.length > 0 ? adam : NO_FUSED_ADAM), ...mse] : adam;
  return native.matmul(heap, new Float64Array([1, M, N, K, a.off, a.rs, a.cs, 0, b.off, b.rs, b.cs, 0, c, M * N, bias, bias >= 0 ? 1 : 0, activation, 0, ...fused])) ?? 0;
}

/** What a chain's forward pass keeps for its backward pass. */
export interface ChainForward {
  /** The input and every layer's output, [batch, width] each (outputs[0] is the input). */
  outputs: tf.Tensor[];
}

/**
 * A straight chain of Dense layers, run forward and backward on the native kernels. Buffers come from the caller's
 * HeapScratch; call allocate* for every buffer before taking the heap, then run the passes with that heap.
 */
export class DenseChain {
  constructor(readonly layers: DenseLayerSpec[]) {}

  get inputs(): number {
    return this.layers[0]!.inputs;
  }

  get units(): number {
    return this.layers[this.layers.length - 1]!.units;
  }

  /** Whether the last layer is linear (the fused MSE needs the product's own output). */
  get linearOutput(): boolean {
    return this.layers[this.layers.length - 1]!.activation === 'linear';
  }

  /** Buffers of the forward pass for `input` [batch, inputs]. */
  allocateForward(scratch: HeapScratch, input: tf.Tensor): ChainForward {
    const batch = input.shape[0]!;
    return { outputs: [input, ...this.layers.map((l) => scratch.make([batch, l.units]))] };
  }

  /**
   * Runs the forward pass into `f`'s buffers. With `mse` (a linear last layer only), the last product also takes
   * the mean squared error against `mse.target`: the chain's output buffer then holds the loss's gradient
   * 2·weight·(y − target)/n instead of y, and the return value is the loss, mean((y − target)²)·weight, as
   * nativeMse computes it (y itself is never stored: the loss needs only the gradient).
   */
  forward(native: NativeBinding, heap: ArrayBuffer, scratch: HeapScratch, f: ChainForward, mse?: { target: tf.Tensor; weight: number }): number {
    const batch = f.outputs[0]!.shape[0]!;
    let loss = 0;
    this.layers.forEach((l, i) => {
      const x = f.outputs[i]!;
      const y = f.outputs[i + 1]!;
      const code = ACTIVATIONS[l.activation];
      const last = i === this.layers.length - 1;
      if (last && mse) {
        if (l.activation !== 'linear') throw new Error('internal: a fused MSE needs a linear last layer');
        const n = y.size;
        const sum = gemm(native, heap, batch, l.units, l.inputs, { off: scratch.offset(x), rs: l.inputs, cs: 1 }, { off: scratch.offset(l.kernel), rs: l.units, cs: 1 }, scratch.offset(y), l.bias ? scratch.offset(l.bias) : -1, 0, [], [scratch.offset(mse.target), (2 / n) * mse.weight]);
        loss = Math.fround(Math.fround(sum / n) * Math.fround(mse.weight));
        return;
      }
      gemm(native, heap, batch, l.units, l.inputs, { off: scratch.offset(x), rs: l.inputs, cs: 1 }, { off: scratch.offset(l.kernel), rs: l.units, cs: 1 }, scratch.offset(y), l.bias ? scratch.offset(l.bias) : -1, code ?? 0);
      if (code === null) {
        // tanh after the GEMM (the native epilogue has none): at most [batch × hidden] values, never the L-wide output.
        const v = scratch.view(heap, y);
        for (let j = 0; j < v.length; j++) v[j] = Math.tanh(v[j]!);
      }
    });
    return loss;
  }

  /** Buffers of the backward pass: per layer the gradient of its pre-activation, kernel and bias, and of its input. */
  allocateBackward(scratch: HeapScratch, batch: number, inputGradient: boolean): ChainBackward {
    return {
      dz: this.layers.map((l) => (l.activation === 'linear' ? null : scratch.make([batch, l.units]))),
      dKernel: this.layers.map((l) => scratch.make(l.kernel.shape)),
      dBias: this.layers.map((l) => (l.bias ? scratch.make(l.bias.shape) : null)),
      dInput: this.layers.map((l, i) => (i > 0 || inputGradient ? scratch.make([batch, l.inputs]) : null)),
    };
  }

  /**
   * Gradients of every weight, given `dOut` = ∂loss/∂(the chain's output), and of the input where allocated. The
   * activation derivatives are tfjs' gradients expressed through the layer's output y: tanh 1 − y², sigmoid
   * y·(1 − y), relu step(y) (y > 0 exactly where its input is).
   *
   * With `adam`, each weight is updated as soon as its gradient is complete: a kernel inside the product that
   * computes its gradient (block by block, while each block is in cache), a bias right after its column sum. A
   * layer's input gradient is computed before its kernel changes, and no later part of the pass reads that kernel,
   * so the gradients are those of the weights before the step.
   */
  backward(native: NativeBinding, heap: ArrayBuffer, scratch: HeapScratch, f: ChainForward, b: ChainBackward, dOut: tf.Tensor, adam?: FusedAdamStep): void {
    const batch = dOut.shape[0]!;
    let dy = dOut;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const l = this.layers[i]!;
      const x = f.outputs[i]!;
      let dz = dy;
      const dzBuf = b.dz[i];
      if (dzBuf) {
        const y = scratch.view(heap, f.outputs[i + 1]!);
        const g = scratch.view(heap, dy);
        const out = scratch.view(heap, dzBuf);
        if (l.activation === 'tanh') for (let j = 0; j < out.length; j++) out[j] = g[j]! * (1 - y[j]! * y[j]!);
        else if (l.activation === 'sigmoid') for (let j = 0; j < out.length; j++) out[j] = g[j]! * (y[j]! * (1 - y[j]!));
        else for (let j = 0; j < out.length; j++) out[j] = y[j]! > 0 ? g[j]! : 0;
        dz = dzBuf;
      }
      // dx = dz·Wᵀ (before W changes), dW = xᵀ·dz, db = Σ_rows dz
      const dInput = b.dInput[i];
      if (dInput) {
        gemm(native, heap, batch, l.inputs, l.units, { off: scratch.offset(dz), rs: l.units, cs: 1 }, { off: scratch.offset(l.kernel), rs: 1, cs: l.units }, scratch.offset(dInput));
      }
      const fused = adam ? adam.fuseParams(l.kernel) : [];
      gemm(native, heap, l.inputs, l.units, batch, { off: scratch.offset(x), rs: 1, cs: l.inputs }, { off: scratch.offset(dz), rs: l.units, cs: 1 }, scratch.offset(b.dKernel[i]!), -1, 0, fused);
      const dBias = b.dBias[i];
      if (dBias && l.bias) {
        native.sumRows(heap, new Float64Array([batch, l.units, scratch.offset(dz), scratch.offset(dBias)]));
        adam?.update(l.bias, dBias);
      }
      if (dInput) dy = dInput;
    }
  }

  /** (variable name → gradient) of every weight, for optimizer.applyGradients. */
  gradients(b: ChainBackward, into: tf.NamedTensorMap = {}): tf.NamedTensorMap {
    this.layers.forEach((l, i) => {
      into[l.kernel.name] = b.dKernel[i]!;
      if (l.bias) into[l.bias.name] = b.dBias[i]!;
    });
    return into;
  }
}

export interface ChainBackward {
  dz: (tf.Tensor | null)[];
  dKernel: tf.Tensor[];
  dBias: (tf.Tensor | null)[];
  dInput: (tf.Tensor | null)[];
}

/** The weight of a loss spec that is MSE alone ('mse', or {mse: w}); null for any other loss. */
export function mseOnlyWeight(spec: string | Partial<Record<string, unknown>>): number | null {
  if (spec === 'mse') return 1;
  if (typeof spec !== 'object' || spec === null) return null;
  const keys = Object.keys(spec).filter((k) => (spec as Record<string, unknown>)[k] !== undefined);
  const w = (spec as Record<string, unknown>).mse;
  return keys.length === 1 && typeof w === 'number' ? w : null;
}

/** A dense VAE encoder as the native step sees it: a chain, then the μ and log σ² heads side by side. */
export interface DenseVaeEncoder {
  trunk: DenseLayerSpec[];
  mean: DenseLayerSpec;
  logVar: DenseLayerSpec;
}

/**
 * The layers of an encoder model x → [μ, log σ²] that is one input, a straight chain of Dense layers and two linear
 * Dense heads on the chain's output (src/models/vae.ts's unconditional encoder); null for anything else.
 */
export function denseVaeEncoderOf(model: tf.LayersModel): DenseVaeEncoder | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 2) return null;
  const [first, ...rest] = model.layers;
  if (!first || first.getClassName() !== 'InputLayer' || rest.length < 2) return null;
  const heads = rest.slice(-2);
  if (model.outputs[0]!.sourceLayer !== heads[0] || model.outputs[1]!.sourceLayer !== heads[1]) return null;
  const width = model.inputs[0]!.shape[1];
  const trunk = straightChain(first, rest.slice(0, -2), width);
  if (!trunk) return null;
  // Both heads read the trunk's output (checked through the graph, not only the widths).
  const trunkOut = trunk.length > 0 ? rest[trunk.length - 1]! : first;
  const [mean, logVar] = heads.map((head) => straightChain(trunkOut, [head], trunk.length > 0 ? trunk[trunk.length - 1]!.units : width)?.[0] ?? null);
  if (!mean || !logVar || mean.units !== logVar.units || mean.activation !== 'linear' || logVar.activation !== 'linear') return null;
  return { trunk, mean, logVar };
}

/** Whether the chains' weights are exactly `variables` (every trainable weight, none twice). */
export function coversExactly(chains: DenseChain[], variables: tf.Variable[]): boolean {
  const mine = chains.flatMap((c) => c.layers.flatMap((l) => (l.bias ? [l.kernel, l.bias] : [l.kernel])));
  const theirs = new Set(variables);
  return mine.length === variables.length && new Set(mine).size === mine.length && mine.every((v) => theirs.has(v));
}

/**
 * Starts the optimizer's step for a native training step: a fused Adam step where the optimizer is sampgen's
 * native Adam (the kernels' updates then run inside their gradient products), else null (the caller hands the
 * gradients to applyGradients). Call before taking the heap: it may allocate the moments.
 */
export function beginOptimizerStep(optimizer: tf.Optimizer, variables: tf.Variable[]): FusedAdamStep | null {
  // (not instanceof: tfjs' Optimizer answers instanceof for any object with an optimizer's methods)
  const begin = (optimizer as Partial<NativeAdamOptimizer>).beginFusedStep;
  return typeof begin === 'function' ? begin.call(optimizer, variables) : null;
}

/** The gradients by variable name in `variables`' order (tfjs' optimizers keep their state by position). */
export function inVariableOrder(gradients: tf.NamedTensorMap, variables: tf.Variable[]): tf.NamedTensorMap {
  return Object.fromEntries(variables.map((v) => [v.name, gradients[v.name]!]));
}
