import * as tf from '@tensorflow/tfjs';
import { heapOf, offsetOf, refCountOf } from './native-kernels';
import { activeNative } from './wasm-kernels';

/** AdamOptimizer's state, private in its typings. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

/**
 * tfjs' Adam with the update of each variable fused into one native pass over the wasm heap, while the native
 * kernels are active on the wasm backend; anywhere else it is exactly tf.train.adam (it inherits everything).
 *
 * WHY: tfjs' Adam runs about a dozen elementwise kernels per variable, each allocating a full-size tensor; for the big
 * dense autoencoder (13.5 M parameters) that is ~40 passes over 54 MB per step. The fused pass reads each element
 * once and updates the variable and both moments in place, with the same float32 operations in the same order as
 * tfjs (so the results are bit for bit those of tf.train.adam). The state is the inherited one (same moment
 * variables and names, accBeta1/accBeta2, iterations): getWeights/setWeights and checkpoints are unchanged.
 */
/**
 * One Adam step whose updates a caller applies itself: through `update`, or inside the native product that computes
 * a kernel's gradient (`fuseParams`: the product updates each block of the variable and its moments as the block's
 * gradient is complete, with the same float32 operations as the separate pass). Every variable of the step must be
 * given to exactly one of the two before `finish`.
 */
export interface FusedAdamStep {
  /** Parameters 18..28 of the addon's matmul (pOff, mOff, vOff, 8 coefficients) that fuse `variable`'s update. */
  fuseParams(variable: tf.Variable): number[];
  /** Updates `variable` from `gradient` now, in one native pass. */
  update(variable: tf.Variable, gradient: tf.Tensor): void;
  /** Ends the step as applyGradients does: the bias-correction accumulators, then the iteration count. */
  finish(): void;
}

export class NativeAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const registered = tf.engine().registeredVariables;
    const variables = names.map((name) => {
      const value = registered[name];
      if (value == null) throw new Error(`NativeAdamOptimizer: no variable named ${name}`);
      return value;
    });
    const step = this.beginFusedStep(variables);
    if (!step) {
      super.applyGradients(variableGradients);
      return;
    }
    variables.forEach((value, i) => {
      const gradient = list ? (variableGradients as { tensor: tf.Tensor }[])[i]!.tensor : (variableGradients as tf.NamedTensorMap)[names[i]!];
      if (gradient != null) step.update(value, gradient);
    });
    step.finish();
  }

  /**
   * Begins a step over `variables`, in the order applyGradients would receive them (tfjs' Adam keeps its moments by
   * position): creates missing moments and gives each variable and moment data of its own (both allocate on the
   * wasm heap, so call this before taking pointers into it). Null where the native kernels are not active on wasm.
   */
  beginFusedStep(variables: tf.Variable[]): FusedAdamStep | null {
    const native = activeNative();
    if (!native || tf.getBackend() !== 'wasm') return null;
    const self = this as unknown as AdamInternals;
    const backend = tf.backend();
    // The coefficients as tfjs makes them: JS numbers become float32 scalars; 1 − accBeta is a float32 subtraction.
    const f = Math.fround;
    const coefficients = [
      f(self.beta1),
      f(1 - self.beta1),
      f(self.beta2),
      f(1 - self.beta2),
      f(1 - self.accBeta1.dataSync()[0]!),
      f(1 - self.accBeta2.dataSync()[0]!),
      f(self.epsilon),
      f(-self.learningRate),
    ];
    const moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();
    variables.forEach((value, i) => {
      self.accumulatedFirstMoment[i] ??= { originalName: `${value.name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${value.name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const m = self.accumulatedFirstMoment[i]!.variable;
      const v = self.accumulatedSecondMoment[i]!.variable;
      if (value.dtype !== 'float32' || m.size !== value.size || v.size !== value.size) {
        throw new Error(`NativeAdamOptimizer: variable ${value.name} and its moments must be float32 tensors of one size`);
      }
      // In place only where this variable alone holds its data; otherwise give it a private copy first.
      for (const t of [value, m, v]) makePrivate(backend, t);
      moments.set(value, { m, v });
    });
    const done = new Set<tf.Variable>();
    const momentsOf = (variable: tf.Variable) => {
      const mv = moments.get(variable);
      if (!mv) throw new Error(`NativeAdamOptimizer: variable ${variable.name} is not part of this step`);
      if (done.has(variable)) throw new Error(`NativeAdamOptimizer: variable ${variable.name} updated twice in one step`);
      done.add(variable);
      return mv;
    };
    return {
      fuseParams: (variable) => {
        const { m, v } = momentsOf(variable);
        return [offsetOf(backend, variable), offsetOf(backend, m), offsetOf(backend, v), ...coefficients];
      },
      update: (variable, gradient) => {
        const { m, v } = momentsOf(variable);
        if (gradient.dtype !== 'float32' || gradient.size !== variable.size) {
          throw new Error(`NativeAdamOptimizer: variable ${variable.name} and its gradient must be float32 tensors of one size`);
        }
        const params = new Float64Array([variable.size, offsetOf(backend, variable), offsetOf(backend, gradient), offsetOf(backend, m), offsetOf(backend, v), ...coefficients]);
        native.adam(heapOf(backend), params);
      },
      finish: () => {
        tf.tidy(() => {
          self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
          self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
        });
        self.incrementIterations();
      },
    };
  }
}

/** Gives `t` data of its own when other tensors share it (an in-place update must not change them). */
function makePrivate(backend: tf.KernelBackend, t: tf.Variable): void {
  if (refCountOf(backend, t) === 1) return;
  const copy = tf.tensor(t.dataSync(), t.shape, t.dtype);
  t.assign(copy);
  copy.dispose();
}
