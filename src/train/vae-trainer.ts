import * as tf from '@tensorflow/tfjs';
import { UserError } from '../errors';
import { gaussianKl, sampleLatent } from '../models/vae';
import { ModelTrainer, StepContext } from './model-trainer';
import { reconstructionLoss, ReconstructionLoss } from './losses';
import { klBeta, KlSchedule } from './schedules';
import type { ConditionLayout } from '../models/condition';
import type { NativeBinding } from '../backend/native';
import { beginOptimizerStep, coversExactly, DenseChain, denseChainOf, denseVaeEncoderOf, fastStepNative, HeapScratch, inVariableOrder, mseOnlyWeight, onWasmHeap } from './native-dense-step';

/** An unconditional dense VAE trained on MSE, as chains of Dense layers for the native step. */
interface VaeChains {
  trunk: DenseChain | null;
  mean: DenseChain;
  logVar: DenseChain;
  decoder: DenseChain;
  mseWeight: number;
}

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
  /** The native step's view of the networks (src/train/native-dense-step.ts); null where it does not apply. */
  private readonly chains: VaeChains | null;

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
    const enc = condition ? null : denseVaeEncoderOf(encoder);
    const dec = condition ? null : denseChainOf(decoder);
    const mseWeight = mseOnlyWeight(loss);
    const parts =
      enc && dec
        ? { trunk: enc.trunk.length > 0 ? new DenseChain(enc.trunk) : null, mean: new DenseChain([enc.mean]), logVar: new DenseChain([enc.logVar]), decoder: new DenseChain(dec) }
        : null;
    this.chains =
      parts && parts.decoder.linearOutput && mseWeight !== null && coversExactly([parts.trunk, parts.mean, parts.logVar, parts.decoder].filter((c): c is DenseChain => c !== null), this.variables)
        ? { ...parts, mseWeight }
        : null;
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
    const native = this.chains ? fastStepNative() : null;
    if (native && this.chains && onWasmHeap(batch) && batch.shape[1] === this.chains.decoder.units) {
      const out = this.nativeStep(native, this.chains, batch, ctx.seed, beta);
      this.stepsDone = ctx.step + 1;
      return out;
    }
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

  /**
   * The same step on the native kernels, gradients by hand: ε from `seed` exactly as sampleLatent draws it, then
   * z = μ + exp(½·log σ²)·ε, the MSE and β·KL, and back:
   *   ∂KL/∂μ = μ/B,  ∂KL/∂log σ² = (exp(log σ²) − 1)/(2B)   (KL = −½/B Σ (1 + log σ² − μ² − exp(log σ²)))
   *   ∂z/∂μ = 1,     ∂z/∂log σ² = ½·exp(½·log σ²)·ε
   */
  private nativeStep(native: NativeBinding, c: VaeChains, batch: tf.Tensor2D, seed: number, beta: number): Record<string, number> {
    const scratch = new HeapScratch();
    const eps = tf.randomNormal([batch.shape[0], c.mean.units], 0, 1, 'float32', seed);
    try {
      const B = batch.shape[0];
      const d = c.mean.units;
      // Every buffer first: growing the heap replaces its buffer.
      const trunkF = c.trunk?.allocateForward(scratch, batch) ?? null;
      const h = trunkF ? trunkF.outputs[trunkF.outputs.length - 1]! : batch;
      const meanF = c.mean.allocateForward(scratch, h);
      const logVarF = c.logVar.allocateForward(scratch, h);
      const z = scratch.make([B, d]);
      const decF = c.decoder.allocateForward(scratch, z);
      // the decoder's output buffer receives the loss's gradient (the MSE fused into its last product)
      const dy = decF.outputs[decF.outputs.length - 1]!;
      const decB = c.decoder.allocateBackward(scratch, B, true);
      const dMean = scratch.make([B, d]);
      const dLogVar = scratch.make([B, d]);
      const meanB = c.mean.allocateBackward(scratch, B, c.trunk !== null);
      const logVarB = c.logVar.allocateBackward(scratch, B, c.trunk !== null);
      const trunkB = c.trunk?.allocateBackward(scratch, B, false) ?? null;
      const optimizer = this.optimizers.main!;
      const adam = beginOptimizerStep(optimizer, this.variables) ?? undefined;
      const heap = scratch.heap();

      if (c.trunk && trunkF) c.trunk.forward(native, heap, scratch, trunkF);
      c.mean.forward(native, heap, scratch, meanF);
      c.logVar.forward(native, heap, scratch, logVarF);
      const mu = scratch.view(heap, meanF.outputs[1]!);
      const lv = scratch.view(heap, logVarF.outputs[1]!);
      const e = scratch.view(heap, eps);
      const zv = scratch.view(heap, z);
      const sigma = new Float32Array(mu.length);
      let klSum = 0;
      for (let j = 0; j < mu.length; j++) {
        sigma[j] = Math.exp(Math.fround(lv[j]! * 0.5));
        zv[j] = mu[j]! + sigma[j]! * e[j]!;
        klSum += 1 + lv[j]! - mu[j]! * mu[j]! - Math.exp(lv[j]!);
      }
      const reconstruction = c.decoder.forward(native, heap, scratch, decF, { target: batch, weight: c.mseWeight });
      c.decoder.backward(native, heap, scratch, decF, decB, dy, adam);

      const dz = scratch.view(heap, decB.dInput[0]!);
      const dm = scratch.view(heap, dMean);
      const dl = scratch.view(heap, dLogVar);
      for (let j = 0; j < mu.length; j++) {
        dm[j] = dz[j]! + (beta * mu[j]!) / B;
        dl[j] = dz[j]! * 0.5 * sigma[j]! * e[j]! + (beta * (Math.exp(lv[j]!) - 1)) / (2 * B);
      }
      c.mean.backward(native, heap, scratch, meanF, meanB, dMean, adam);
      c.logVar.backward(native, heap, scratch, logVarF, logVarB, dLogVar, adam);
      if (c.trunk && trunkF && trunkB) {
        // ∂/∂h = the two heads' input gradients, summed into the μ head's buffer
        const a = scratch.view(heap, meanB.dInput[0]!);
        const b = scratch.view(heap, logVarB.dInput[0]!);
        for (let j = 0; j < a.length; j++) a[j] = a[j]! + b[j]!;
        c.trunk.backward(native, heap, scratch, trunkF, trunkB, meanB.dInput[0]!, adam);
      }
      if (adam) {
        adam.finish();
      } else {
        const grads: tf.NamedTensorMap = {};
        if (c.trunk && trunkB) c.trunk.gradients(trunkB, grads);
        c.mean.gradients(meanB, grads);
        c.logVar.gradients(logVarB, grads);
        c.decoder.gradients(decB, grads);
        optimizer.applyGradients(inVariableOrder(grads, this.variables));
      }
      // The reported values as tfjs' float32 ops round them: mean over the batch of −½·Σ terms, rec + β·KL.
      const kl = Math.fround(Math.fround(klSum * -0.5) / B);
      return { loss: Math.fround(reconstruction + Math.fround(kl * Math.fround(beta))), reconstruction, kl, beta };
    } finally {
      eps.dispose();
      scratch.release();
    }
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
