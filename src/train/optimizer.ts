import * as tf from '@tensorflow/tfjs';
import { loadNative } from '../backend/native';
import { NativeAdamOptimizer } from '../backend/native-adam';

/** tfjs' NamedTensor (not re-exported by @tensorflow/tfjs). */
export type NamedTensor = { name: string; tensor: tf.Tensor };

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

/**
 * The optimizer a config names. Adam is sampgen's NativeAdamOptimizer where the native addon is loaded: a subclass
 * of tfjs' AdamOptimizer that fuses each variable's update while the native kernels run on wasm, and is plain
 * tf.train.adam everywhere else (same results, same state, same checkpoints).
 */
export function makeOptimizer(name: OptimizerName, lr: number, beta1 = 0.9, beta2 = 0.999): tf.Optimizer {
  switch (name) {
    case 'adam':
      // tf.train.adam's defaults: epsilon null → the backend's epsilon.
      return loadNative().ok ? new NativeAdamOptimizer(lr, beta1, beta2) : tf.train.adam(lr, beta1, beta2);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr);
  }
}

interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

/**
 * The optimizer's state as named tensors. tfjs' Adam recomputes its bias-correction powers on setWeights as
 * beta^(t+1) with pow(), which can differ in the last bit from the product it accumulated; we save the two
 * accumulators too so a resumed run continues bit for bit.
 */
export async function optimizerState(opt: tf.Optimizer): Promise<NamedTensor[]> {
  const weights = await opt.getWeights();
  const adam = opt as unknown as AdamInternals;
  if (adam.accBeta1 && adam.accBeta2) {
    weights.push({ name: '__sampgen_accBeta1', tensor: adam.accBeta1 }, { name: '__sampgen_accBeta2', tensor: adam.accBeta2 });
  }
  return weights;
}

export async function restoreOptimizerState(opt: tf.Optimizer, weights: NamedTensor[]): Promise<void> {
  const extra = weights.filter((w) => w.name.startsWith('__sampgen_'));
  const own = weights.filter((w) => !w.name.startsWith('__sampgen_'));
  await opt.setWeights(own);
  const adam = opt as unknown as AdamInternals;
  for (const w of extra) {
    if (w.name === '__sampgen_accBeta1') adam.accBeta1?.assign(w.tensor as tf.Scalar);
    if (w.name === '__sampgen_accBeta2') adam.accBeta2?.assign(w.tensor as tf.Scalar);
  }
}

/**
 * Sets the rate an optimizer uses from its next update on. tfjs' Adam and RMSProp read their protected
 * `learningRate` field at every update; SGD caches it as a scalar, which its own setLearningRate refreshes.
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  const target = opt as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (target.learningRate === lr) return;
  if (typeof target.setLearningRate === 'function') target.setLearningRate(lr);
  else target.learningRate = lr;
}

/** The optimizer of a config's `train` section (one per network that is trained on its own, e.g. a GAN's two). */
export function optimizerFor(train: { optimizer: OptimizerName; lr: number; beta1: number; beta2: number }): tf.Optimizer {
  return makeOptimizer(train.optimizer, train.lr, train.beta1, train.beta2);
}
