/**
 * Checks that save a researcher a day: signs, visible from a validation batch, that a run has stopped learning
 * anything useful. Each is said once per run (the loop keeps which were said in its checkpointed state).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelTrainer } from './model-trainer';

/** Outputs that vary across inputs by less than this fraction of the inputs' own variation count as collapsed. */
export const COLLAPSE_RATIO = 0.05;
/** Collapse is judged from this epoch on: a freshly initialised decoder barely depends on its input either. */
export const COLLAPSE_FIRST_EPOCH = 5;

export interface CollapseReport {
  /** Spread of the outputs across examples divided by that of the inputs (mean per-sample standard deviation). */
  ratio: number;
  outputRmsDb: number;
  inputRmsDb: number;
  examples: number;
}

/**
 * How much a reconstruction still depends on its input: for a batch of n ≥ 2 examples, the per-sample-position
 * standard deviation across examples, averaged over positions, for the outputs and for the inputs. A decoder that
 * gives one output whatever it is fed (the study's conv AE on real snares) has a ratio near 0. Null for models
 * without an encoder and decoder (a GAN) or a batch of fewer than two examples. A conditional model's batch comes with
 * its condition rows.
 */
export function measureCollapse(trainer: ModelTrainer, batch: tf.Tensor2D, condition?: tf.Tensor2D): CollapseReport | null {
  const parts = trainer.exportParts();
  const { encoder, decoder } = parts;
  if (!encoder || !decoder || batch.shape[0] < 2) return null;
  const [outSpread, inSpread, outRms, inRms] = tf.tidy(() => {
    // A conditional model reconstructs each example under its own condition.
    const withCondition = (t: tf.Tensor2D) => (condition ? [t, condition] : t);
    const y = (decoder.predict(withCondition(encoder.predict(withCondition(batch)) as tf.Tensor2D)) as tf.Tensor).reshape(batch.shape);
    const spread = (t: tf.Tensor) => tf.mean(tf.sqrt(tf.moments(t, 0).variance));
    const rms = (t: tf.Tensor) => tf.sqrt(tf.mean(tf.square(t)));
    return tf.stack([spread(y), spread(batch), rms(y), rms(batch)]).dataSync();
  }) as unknown as number[];
  const db = (x: number) => 20 * Math.log10(Math.max(x, 1e-10));
  return {
    ratio: inSpread! > 0 ? outSpread! / inSpread! : 1,
    outputRmsDb: db(outRms!),
    inputRmsDb: db(inRms!),
    examples: batch.shape[0],
  };
}

export function describeCollapse(r: CollapseReport, epoch: number): string {
  return (
    `at epoch ${epoch} the decoder's output hardly depends on its input: across ${r.examples} validation examples the ` +
    `reconstructions vary by ${(100 * r.ratio).toFixed(1)}% of what the inputs do (output RMS ${r.outputRmsDb.toFixed(1)} dBFS, ` +
    `inputs ${r.inputRmsDb.toFixed(1)} dBFS): the model has collapsed to (nearly) one output. Listen to a few ` +
    'reconstructions; a lower train.lr, a spectral loss or another architecture may help'
  );
}
