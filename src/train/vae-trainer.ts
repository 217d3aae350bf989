import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { gaussianKl, sampleLatent } from '../models/vae';
import { ModelTrainer, StepContext } from './model-trainer';
import { reconstructionLoss, ReconstructionLoss } from './losses';
import { klBeta, KlSchedule } from './schedules';
import type { ConditionLayout } from '../models/condition';

interface VaeLosses {
  total: tf.Scalar;
  reconstruction: tf.Scalar;
  kl: tf.Scalar;
}

/**
 * KL-annealed VAE: loss = reconstruction + β(step)·KL(q(z|x) ‖ N(0, I)).
 *
 * Normalisation: reconstruction is train.loss (mse or mae) averaged over the batch AND the samples of each
 * example; KL is summed over the latent dimensions and averaged over the batch (see gaussianKl). This is the
 * scale the study's factors were chosen for: with a per-sample mean reconstruction (order 1e-2 for audio in
 * [−1, 1]) and a KL of a few nats, β = 0.01 … 0.0001 spans "KL matters" to "almost a plain autoencoder";
 * a reconstruction summed over 17640 samples would make all three factors negligible.
 *
 * Randomness: ε of the sampling step comes from ctx.seed only, and β from ctx.step only, so a resumed run
 * draws the same ε and continues the ramp where it stopped.
 */
export class VaeTrainer implements ModelTrainer {
  readonly models: Record<string, tf.LayersModel>;
  readonly optimizers: Record<string, tf.Optimizer>;
  readonly prior = 'normal' as const;
  readonly stepsPerUnit = 1;
  private readonly variables: tf.Variable[];
  /**
   * Steps applied so far, for the β of validation losses: the loop calls evaluate() with a batch offset as
   * ctx.step, not the training step. Set from ctx.step (never counted here) and kept in checkpoints.
   */
  private stepsDone = 0;

  constructor(
    /** x → [μ, log σ²]. */
    private readonly encoder: tf.LayersModel,
    /** x → μ, sharing the encoder's layers. */
    private readonly meanEncoder: tf.LayersModel,
    private readonly decoder: tf.LayersModel,
    optimizer: tf.Optimizer,
    private readonly loss: ReconstructionLoss,
    private readonly schedule: KlSchedule,
    /** Conditional VAEs: the layout of the condition both networks take as their second input. */
    readonly condition?: ConditionLayout,
  ) {
    // Only the training encoder and the decoder hold weights; the mean encoder's are a subset of the encoder's.
    this.models = { encoder, decoder };
    this.optimizers = { main: optimizer };
    this.variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  }

  exportParts(): Record<string, tf.LayersModel> {
    return { encoder: this.meanEncoder, decoder: this.decoder };
  }

  /** The networks' inputs: the tensor alone, or with the batch's condition for a conditional VAE. */
  private inputs(x: tf.Tensor2D, condition: tf.Tensor2D | undefined): tf.Tensor2D | tf.Tensor2D[] {
    if (!this.condition) return x;
    if (!condition || condition.shape[0] !== x.shape[0]) {
      throw new Error(`a conditional VAE needs a condition row for each of the ${x.shape[0]} examples, got ${condition ? condition.shape[0] : 'none'}`);
    }
    return [x, condition];
  }

  /** The three losses on a batch with ε from `seed` and KL weight `beta`. Call inside a tidy. */
  private lossesOf(batch: tf.Tensor2D, condition: tf.Tensor2D | undefined, seed: number, beta: number, training: boolean): VaeLosses {
    const [mean, logVar] = this.encoder.apply(this.inputs(batch, condition), { training }) as tf.Tensor2D[];
    const z = sampleLatent(mean!, logVar!, seed);
    const y = this.decoder.apply(this.inputs(z, condition), { training }) as tf.Tensor;
    const reconstruction = reconstructionLoss(this.loss, batch, y);
    const kl = gaussianKl(mean!, logVar!);
    const total = tf.add(reconstruction, tf.mul(kl, beta)) as tf.Scalar;
    return { total, reconstruction, kl };
  }

  trainStep(batch: tf.Tensor2D, ctx: StepContext): Record<string, number> {
    const beta = klBeta(ctx.step, this.schedule);
    let parts: { reconstruction: tf.Scalar; kl: tf.Scalar } | undefined;
    const total = this.optimizers.main!.minimize(
      () => {
        const l = this.lossesOf(batch, ctx.condition, ctx.seed, beta, true);
        // minimize() runs this inside a tidy; keep the two parts to report them (disposed below).
        parts = { reconstruction: tf.keep(l.reconstruction), kl: tf.keep(l.kl) };
        return l.total;
      },
      true,
      this.variables,
    )!;
    const out = { loss: total.dataSync()[0]!, reconstruction: parts!.reconstruction.dataSync()[0]!, kl: parts!.kl.dataSync()[0]!, beta };
    tf.dispose([total, parts!.reconstruction, parts!.kl]);
    this.stepsDone = ctx.step + 1;
    return out;
  }

  /** Validation losses with ε from ctx.seed and the β of the training step reached so far. */
  evaluate(batch: tf.Tensor2D, ctx: StepContext): Record<string, number> {
    const beta = klBeta(this.stepsDone, this.schedule);
    const values = tf.tidy(() => {
      const l = this.lossesOf(batch, ctx.condition, ctx.seed, beta, false);
      return tf.stack([l.total, l.reconstruction, l.kl]);
    });
    const [loss, reconstruction, kl] = Array.from(values.dataSync());
    values.dispose();
    return { loss: loss!, reconstruction: reconstruction!, kl: kl!, beta };
  }

  /**
   * Epochs are compared by the objective at the target β (reconstruction + kl_factor·KL): the validation `loss`
   * uses the ramp's current β, which grows during the ramp, so comparing it would always favour early epochs.
   */
  selectionLoss(validation: Record<string, number>): number {
    return validation.reconstruction! + this.schedule.factor * validation.kl!;
  }

  planWarnings(totalSteps: number): string[] {
    const { rampSteps, factor } = this.schedule;
    if (rampSteps <= totalSteps || factor === 0) return [];
    const reached = klBeta(totalSteps, this.schedule) / factor;
    return [
      `vae.kl_ramp_steps (${rampSteps}) is longer than the whole run (${totalSteps} steps): β reaches only ` +
        `${(100 * reached).toPrecision(2)}% of vae.kl_factor, so the model stays close to a plain autoencoder; ` +
        `shorten the ramp (e.g. --set vae.kl_ramp_steps=${Math.max(1, Math.round(totalSteps / 3))}) or train longer`,
    ];
  }

  /** Latent points are the posterior means (the sampling step is a training-time detail). */
  encode(batch: tf.Tensor2D, condition?: tf.Tensor2D): tf.Tensor2D {
    return this.meanEncoder.predict(this.inputs(batch, condition)) as tf.Tensor2D;
  }

  extraState(): Record<string, unknown> {
    return { vae_steps_done: this.stepsDone };
  }

  restoreExtraState(state: Record<string, unknown>): void {
    const n = state.vae_steps_done;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new UserError(`the checkpoint's VAE state has no valid vae_steps_done (got ${JSON.stringify(n)}); start a new run with --force`);
    }
    this.stepsDone = n;
  }

  dispose(): void {
    // The mean encoder owns no weights of its own: disposing the encoder frees them all.
    this.encoder.dispose();
    this.decoder.dispose();
    for (const opt of Object.values(this.optimizers)) opt.dispose();
  }
}
