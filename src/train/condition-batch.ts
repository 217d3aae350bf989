import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data';
import { conditionRows, conditionWidth } from '../models/condition';
import type { ModelTrainer } from './model-trainer';

/**
 * The condition vectors of dataset rows for a conditional model (undefined for any other), as a [rows, width]
 * tensor; `augment` adjusts them to what augmentation did to the rows (Augmenter.applyToConditions).
 */
export function conditionBatch(
  trainer: ModelTrainer,
  dataset: Dataset,
  indices: ArrayLike<number>,
  augment?: (conditions: Float32Array, width: number, velocityPerDb: number | null) => void,
): tf.Tensor2D | undefined {
  const layout = trainer.condition;
  if (!layout) return undefined;
  const width = conditionWidth(layout);
  const rows = conditionRows(layout, dataset.info, indices);
  augment?.(rows, width, layout.velocity ? 1 / (layout.velocity.max_dbfs - layout.velocity.min_dbfs) : null);
  return tf.tensor2d(rows, [indices.length, width]);
}

