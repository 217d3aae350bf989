import * as tf from '@tensorflow/tfjs';

export type ReconstructionLoss = 'mse' | 'mae';

/** Mean over batch and samples of the per-sample reconstruction error. */
export function reconstructionLoss(kind: ReconstructionLoss, target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const diff = tf.sub(output, target);
    return (kind === 'mae' ? tf.mean(tf.abs(diff)) : tf.mean(tf.square(diff))) as tf.Scalar;
  });
}
