import * as tf from '@tensorflow/tfjs';
import type { ConditionLayout } from '../models/condition';

/** Per-step context: randomness for this step comes from `seed`, derived from (train.seed, step). */
export interface StepContext {
  step: number;
  seed: number;
  /** The batch's condition vectors ([batch, width]), for a conditional model (ModelTrainer.condition) only. */
  condition?: tf.Tensor2D;
}

/**
 * What the generic training loop needs from a model family (dense AE, conv AE, VAE, GAN). The loop owns data,
 * epochs, logging, checkpoints and export; a trainer owns its models, optimizers and the maths of one step.
 */
export interface ModelTrainer {
  /** Every model whose weights make up the training state, by a stable name. */
  readonly models: Record<string, tf.LayersModel>;
  readonly optimizers: Record<string, tf.Optimizer>;
  /** The parts written to the exported model folder (e.g. encoder + decoder, or generator). */
  exportParts(): Record<string, tf.LayersModel>;
  /** One optimisation step; returns named scalar losses; `loss` is the headline one. */
  trainStep(batch: tf.Tensor2D, ctx: StepContext): Record<string, number>;
  /** Losses on held-out data, without updating anything. */
  evaluate(batch: tf.Tensor2D, ctx: StepContext): Record<string, number>;
  /** Latent points of a batch, for the latent bounds in sampgen.json; absent for models without an encoder. */
  encode?(batch: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D;
  /**
   * A conditional model's condition layout: the loop then gives every batch its rows' condition vectors
   * (StepContext.condition, and encode's second argument), and the export records the layout in sampgen.json.
   */
  readonly condition?: ConditionLayout;
  /** The distribution a user should sample latents from: 'uniform' (GAN), 'normal' (VAE), or null (AE: use bounds). */
  readonly prior: 'uniform' | 'normal' | null;
  /** Loop steps that make one unit of its training (a GAN: the critic_steps steps of one generator update; else 1). */
  readonly stepsPerUnit: number;
  /** Trainer-specific state to keep in checkpoints (beyond weights). */
  extraState?(): Record<string, unknown>;
  restoreExtraState?(state: Record<string, unknown>): void;
  /**
   * The number a run minimises to pick its best epoch and to stop early, from the validation losses; absent where
   * validation losses do not measure quality (a GAN's critic loss), and then the run exports its last weights.
   */
  selectionLoss?(validation: Record<string, number>): number;
  /** Warnings about the run as planned (e.g. a schedule longer than the run), given its total optimisation steps. */
  planWarnings?(totalSteps: number): string[];
  /** Called every N steps with the run folder, e.g. to write GAN previews. */
  onStep?(step: number, runDir: string): Promise<void>;
  dispose(): void;
}
