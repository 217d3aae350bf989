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
export class NativeAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const native = activeNative();
    if (!native || tf.getBackend() !== 'wasm') {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const list = Array.isArray(variableGradients);
    const names = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    const registered = tf.engine().registeredVariables;
    const backend = tf.backend();
    const params = new Float64Array(13);
    // The coefficients as tfjs makes them: JS numbers become float32 scalars; 1 − accBeta is a float32 subtraction.
    const f = Math.fround;
    params[5] = f(self.beta1);
    params[6] = f(1 - self.beta1);
    params[7] = f(self.beta2);
    params[8] = f(1 - self.beta2);
    params[9] = f(1 - self.accBeta1.dataSync()[0]!);
    params[10] = f(1 - self.accBeta2.dataSync()[0]!);
    params[11] = f(self.epsilon);
    params[12] = f(-self.learningRate);
    names.forEach((name, i) => {
      const value = registered[name];
      if (value == null) throw new Error(`NativeAdamOptimizer: no variable named ${name}`);
      self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      const gradient = list ? (variableGradients as { tensor: tf.Tensor }[])[i]!.tensor : (variableGradients as tf.NamedTensorMap)[name];
      if (gradient == null) return;
      const m = self.accumulatedFirstMoment[i]!.variable;
      const v = self.accumulatedSecondMoment[i]!.variable;
      if (value.dtype !== 'float32' || gradient.dtype !== 'float32' || gradient.size !== value.size || m.size !== value.size) {
        throw new Error(`NativeAdamOptimizer: variable ${name} and its gradient must be float32 tensors of one size`);
      }
      // In place only where this variable alone holds its data; otherwise give it a private copy first.
      for (const t of [value, m, v]) makePrivate(backend, t);
      params[0] = value.size;
      params[1] = offsetOf(backend, value);
      params[2] = offsetOf(backend, gradient);
      params[3] = offsetOf(backend, m);
      params[4] = offsetOf(backend, v);
      native.adam(heapOf(backend), params);
    });
    tf.tidy(() => {
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  }
}

/** Gives `t` data of its own when other tensors share it (an in-place update must not change them). */
function makePrivate(backend: tf.KernelBackend, t: tf.Variable): void {
  if (refCountOf(backend, t) === 1) return;
  const copy = tf.tensor(t.dataSync(), t.shape, t.dtype);
  t.assign(copy);
  copy.dispose();
}
