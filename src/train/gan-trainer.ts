import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { encodeWav } from '../audio';
import { criticForward, phaseShuffleShifts } from '../models/wavegan';
import { Rng } from '../util/rng';
import { writeFileAtomic } from '../util/atomic';
import { ModelTrainer, StepContext } from './model-trainer';
import { deriveSeed } from './seeds';

/**
 * WGAN-GP training of WaveGAN (Donahue et al. 2019; Gulrajani et al. 2017).
 *
 * Each loop step consumes one real batch and makes one critic update; after every `criticSteps`-th critic update
 * (loop steps s with (s + 1) % criticSteps == 0) the generator is updated once. The schedule follows from the step
 * number alone, and every random draw of a step (latents, interpolation weights, phase shifts) from the step's
 * seed, so a resumed run needs nothing in its checkpoint beyond weights, optimizer states and the step counter.
 *
 * Every loss is a mean over examples of per-example terms (the critic treats examples independently), so a batch
 * is processed in parts of `microBatch` examples: each part's terms are summed and divided by the whole batch's
 * size, the parts' gradients are added, and the optimizer makes one update. Random draws are made for the whole
 * batch and sliced, so the update is that of the whole batch at once, up to float rounding, whatever the part size.
 */

/** Sub-streams of a step's seed: each draw has its own, so adding one never changes another. */
const Draw = {
  criticLatent: 1,
  epsilon: 2,
  shuffleReal: 3,
  shuffleFake: 4,
  shuffleMix: 5,
  generatorLatent: 6,
  generatorShuffle: 7,
  preview: 8,
} as const;

/**
 * Guards the norm's gradient: sqrt'(0) is infinite and 0·∞ = NaN where an input gradient vanishes exactly (a dead
 * critic). Far below float32 resolution for any norm that matters (‖g‖² ≥ 1e-5 is unchanged by adding it).
 */
const NORM_EPSILON = 1e-12;

/** A batch of latent vectors uniform in [−1, 1), drawn from `seed` (WaveGAN's prior). */
export function uniformLatents(seed: number, batch: number, latent: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Float32Array.from({ length: batch * latent }, () => rng.uniform(-1, 1)), [batch, latent]);
}

/** Per-example interpolation weights ε ~ U[0, 1), shape [batch, 1]. */
export function interpolationWeights(seed: number, batch: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Float32Array.from({ length: batch }, () => rng.next()), [batch, 1]);
}

/**
 * WGAN-GP's gradient penalty: λ · mean over examples of (‖∇x̂ D(x̂)‖₂ − 1)², at x̂ = ε·real + (1 − ε)·fake with one ε
 * per example. The gradient is taken of Σ D(x̂) over the batch, which gives each example its own gradient because
 * the critic treats examples independently. Differentiable with respect to the critic's weights when `critic` is
 * twice differentiable (hence wavegan.ts's activation).
 */
export function gradientPenalty(
  critic: (x: tf.Tensor2D) => tf.Tensor,
  real: tf.Tensor2D,
  fake: tf.Tensor2D,
  epsilon: tf.Tensor2D,
  lambda: number,
): tf.Scalar {
  return tf.tidy(() => {
    const mix = tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), fake)) as tf.Tensor2D;
    const grad = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor2D)))(mix);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(grad), 1), NORM_EPSILON));
    return tf.mul(lambda, tf.mean(tf.square(tf.sub(norm, 1)))) as tf.Scalar;
  });
}

export interface GanTrainerOptions {
  generator: tf.Sequential;
  critic: tf.Sequential;
  generatorOptimizer: tf.Optimizer;
  criticOptimizer: tf.Optimizer;
  latent: number;
  /** Phase shuffle n of the critic (0: off). */
  phaseShuffle: number;
  /** Gradient-penalty weight λ. */
  lambdaGp: number;
  /** Critic updates per generator update. */
  criticSteps: number;
  /** Generator updates between previews. */
  previewEvery: number;
  /** Preview WAVs per preview; 0: none. */
  previewCount: number;
  /** Seed of the fixed preview latents (independent of every training draw). */
  previewSeed: number;
  /** Sample rate written into preview WAVs; previews need it. */
  sampleRate?: number;
  /** Examples per gradient pass (default: the whole batch in one pass). */
  microBatch?: number;
}

/** A step's random draws for the critic's terms, for the whole batch. */
interface CriticDraws {
  latents: tf.Tensor2D;
  epsilon: tf.Tensor2D;
  shuffleReal: Int32Array[] | null;
  shuffleFake: Int32Array[] | null;
  shuffleMix: Int32Array[] | null;
}

/** The examples [start, end) of a batch of `total`. */
interface Part {
  start: number;
  end: number;
  total: number;
}

/** Each term is the part's share of the whole batch's value: its sum over the part's examples / the batch size. */
interface CriticTerms {
  /** Critic loss: mean D(fake) − mean D(real) + gradient penalty. */
  loss: tf.Scalar;
  gradientPenalty: tf.Scalar;
  /** mean D(real) − mean D(fake): the critic's estimate of the Wasserstein distance. */
  wasserstein: tf.Scalar;
  /** −mean D(fake): what the generator minimises, on this step's fakes. */
  generatorLoss: tf.Scalar;
}

export class GanTrainer implements ModelTrainer {
  readonly models: Record<string, tf.LayersModel>;
  readonly optimizers: Record<string, tf.Optimizer>;
  readonly prior = 'uniform' as const;
  get stepsPerUnit(): number {
    return this.opts.criticSteps;
  }
  private readonly generator: tf.Sequential;
  private readonly critic: tf.Sequential;
  private readonly generatorVars: tf.Variable[];
  private readonly criticVars: tf.Variable[];

  constructor(private readonly opts: GanTrainerOptions) {
    for (const [key, value] of [
      ['criticSteps', opts.criticSteps],
      ['previewEvery', opts.previewEvery],
      ['latent', opts.latent],
      ['microBatch', opts.microBatch ?? 1],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`GanTrainer: ${key} must be a positive integer, got ${value}`);
    }
    this.generator = opts.generator;
    this.critic = opts.critic;
    this.models = { generator: opts.generator, critic: opts.critic };
    this.optimizers = { generator: opts.generatorOptimizer, critic: opts.criticOptimizer };
    this.generatorVars = opts.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    this.criticVars = opts.critic.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  exportParts(): Record<string, tf.LayersModel> {
    return { generator: this.generator };
  }

  /** Whether loop step `step` (0-based) ends with a generator update. */
  generatorUpdateAt(step: number): boolean {
    return (step + 1) % this.opts.criticSteps === 0;
  }

  private score(x: tf.Tensor, shifts: Int32Array[] | null): tf.Tensor2D {
    return criticForward(this.critic, x, shifts ? { n: this.opts.phaseShuffle, shifts } : null);
  }

  /** Phase shifts of a whole batch from `seed` (null without phase shuffle). */
  private shifts(seed: number, batch: number): Int32Array[] | null {
    return this.opts.phaseShuffle > 0 ? phaseShuffleShifts(seed, batch, this.opts.phaseShuffle) : null;
  }

  /** The parts a batch of `total` examples is processed in. */
  private parts(total: number): Part[] {
    const size = Math.min(total, this.opts.microBatch ?? total);
    const out: Part[] = [];
    for (let start = 0; start < total; start += size) out.push({ start, end: Math.min(total, start + size), total });
    return out;
  }

  private criticDraws(seed: number, batch: number): CriticDraws {
    return {
      latents: uniformLatents(deriveSeed(seed, Draw.criticLatent, 0), batch, this.opts.latent),
      epsilon: interpolationWeights(deriveSeed(seed, Draw.epsilon, 0), batch),
      shuffleReal: this.shifts(deriveSeed(seed, Draw.shuffleReal, 0), batch),
      shuffleFake: this.shifts(deriveSeed(seed, Draw.shuffleFake, 0), batch),
      shuffleMix: this.shifts(deriveSeed(seed, Draw.shuffleMix, 0), batch),
    };
  }

  /**
   * The critic's loss terms of one part of a batch against fakes from the part's latents. The fakes are constants
   * here: the critic update does not differentiate through the generator.
   */
  private criticTerms(real: tf.Tensor2D, draws: CriticDraws, part: Part): CriticTerms {
    const n = part.end - part.start;
    const realPart = part.start === 0 && n === real.shape[0] ? real : rowsOf(real, part);
    const fake = tf.tidy(() => this.generator.apply(rowsOf(draws.latents, part)) as tf.Tensor2D);
    const share = (sum: tf.Tensor) => tf.div(sum, part.total) as tf.Scalar;
    const dReal = share(tf.sum(this.score(realPart, shiftsOf(draws.shuffleReal, part))));
    const dFake = share(tf.sum(this.score(fake, shiftsOf(draws.shuffleFake, part))));
    const mixShifts = shiftsOf(draws.shuffleMix, part);
    const gpMean = gradientPenalty((x) => this.score(x, mixShifts), realPart, fake, rowsOf(draws.epsilon, part), this.opts.lambdaGp);
    const gp = n === part.total ? gpMean : (tf.mul(gpMean, n / part.total) as tf.Scalar);
    return {
      loss: tf.add(tf.sub(dFake, dReal), gp) as tf.Scalar,
      gradientPenalty: gp,
      wasserstein: tf.sub(dReal, dFake) as tf.Scalar,
      generatorLoss: tf.neg(dFake) as tf.Scalar,
    };
  }

  trainStep(real: tf.Tensor2D, ctx: StepContext): Record<string, number> {
    const batch = real.shape[0];
    const draws = this.criticDraws(ctx.seed, batch);
    const totals = { loss: 0, gradient_penalty: 0, wasserstein: 0, generator_loss: 0 };
    let grads: tf.NamedTensorMap | null = null;
    try {
      for (const part of this.parts(batch)) {
        // The terms other than the loss are kept out of variableGrads' tidy scope, to be read after it.
        const kept: tf.Scalar[] = [];
        try {
          const result = tf.variableGrads(() => {
            const terms = this.criticTerms(real, draws, part);
            kept.push(...[terms.gradientPenalty, terms.wasserstein, terms.generatorLoss].map((t) => tf.keep(t)));
            return terms.loss;
          }, this.criticVars);
          grads = addGradients(grads, result.grads);
          totals.loss += result.value.dataSync()[0]!;
          result.value.dispose();
          const [gp, wasserstein, generatorLoss] = kept.map((t) => t.dataSync()[0]!);
          totals.gradient_penalty += gp!;
          totals.wasserstein += wasserstein!;
          totals.generator_loss += generatorLoss!;
        } finally {
          tf.dispose(kept);
        }
      }
      this.optimizers.critic!.applyGradients(grads!);
    } finally {
      if (grads) tf.dispose(Object.values(grads));
      tf.dispose([draws.latents, draws.epsilon]);
    }
    if (this.generatorUpdateAt(ctx.step)) this.generatorStep(ctx.seed, batch);
    return {
      loss: totals.loss,
      critic_loss: totals.loss,
      generator_loss: totals.generator_loss,
      gradient_penalty: totals.gradient_penalty,
      wasserstein: totals.wasserstein,
    };
  }

  private generatorStep(seed: number, batch: number): void {
    const z = uniformLatents(deriveSeed(seed, Draw.generatorLatent, 0), batch, this.opts.latent);
    const shifts = this.shifts(deriveSeed(seed, Draw.generatorShuffle, 0), batch);
    let grads: tf.NamedTensorMap | null = null;
    try {
      for (const part of this.parts(batch)) {
        const result = tf.variableGrads(() => {
          const fake = this.generator.apply(rowsOf(z, part)) as tf.Tensor2D;
          const score = this.score(fake, shiftsOf(shifts, part));
          return tf.div(tf.neg(tf.sum(score)), batch) as tf.Scalar;
        }, this.generatorVars);
        grads = addGradients(grads, result.grads);
        result.value.dispose();
      }
      this.optimizers.generator!.applyGradients(grads!);
    } finally {
      if (grads) tf.dispose(Object.values(grads));
      z.dispose();
    }
  }

  /** The critic's terms on held-out real data against fresh fakes from `ctx.seed`; nothing is updated. */
  evaluate(real: tf.Tensor2D, ctx: StepContext): Record<string, number> {
    const draws = this.criticDraws(ctx.seed, real.shape[0]);
    const totals = [0, 0, 0, 0];
    try {
      for (const part of this.parts(real.shape[0])) {
        const values = tf.tidy(() => {
          const t = this.criticTerms(real, draws, part);
          return tf.stack([t.loss, t.gradientPenalty, t.wasserstein, t.generatorLoss]);
        });
        values.dataSync().forEach((v, i) => (totals[i]! += v));
        values.dispose();
      }
    } finally {
      tf.dispose([draws.latents, draws.epsilon]);
    }
    const [loss, gp, w, g] = totals;
    return { loss: loss!, critic_loss: loss!, generator_loss: g!, gradient_penalty: gp!, wasserstein: w! };
  }

  /** The fixed preview latents: the same vectors at every preview, so that previews show the generator's progress. */
  previewLatents(): tf.Tensor2D {
    return uniformLatents(deriveSeed(this.opts.previewSeed, Draw.preview, 0), this.opts.previewCount, this.opts.latent);
  }

  /** Whether a preview is due after `step` loop steps: every previewEvery generator updates. */
  previewDue(step: number): boolean {
    if (this.opts.previewCount < 1 || step < 1 || step % this.opts.criticSteps !== 0) return false;
    return (step / this.opts.criticSteps) % this.opts.previewEvery === 0;
  }

  /** Writes <runDir>/previews/step-<step>/preview-<i>.wav (float32) when a preview is due. */
  async onStep(step: number, runDir: string): Promise<void> {
    if (!this.previewDue(step)) return;
    await this.writePreviews(path.join(runDir, 'previews', `step-${step}`));
  }

  async writePreviews(dir: string): Promise<string[]> {
    const rate = this.opts.sampleRate;
    if (rate === undefined) throw new Error('GanTrainer: previews need the sample rate (pass sampleRate to buildTrainer)');
    const z = this.previewLatents();
    const audio = this.generator.predict(z) as tf.Tensor2D;
    z.dispose();
    const rows = await audio.data();
    audio.dispose();
    const length = rows.length / this.opts.previewCount;
    const files: string[] = [];
    for (let i = 0; i < this.opts.previewCount; i++) {
      const file = path.join(dir, `preview-${i}.wav`);
      writeFileAtomic(file, encodeWav(Float32Array.from(rows.subarray(i * length, (i + 1) * length)), rate, 'float32'));
      files.push(file);
    }
    return files;
  }

  dispose(): void {
    this.generator.dispose();
    this.critic.dispose();
    for (const opt of Object.values(this.optimizers)) opt.dispose();
  }
}

/** The part's rows of a batch-major tensor. */
function rowsOf<T extends tf.Tensor2D>(t: T, part: Part): T {
  return t.slice([part.start, 0], [part.end - part.start, -1]) as T;
}

/** The part's phase shifts, for each shuffled layer, of shifts drawn for the whole batch. */
function shiftsOf(shifts: Int32Array[] | null, part: Part): Int32Array[] | null {
  return shifts && shifts.map((s) => s.subarray(part.start, part.end));
}

/** Adds a part's gradients to the running sums (taking ownership of both; the first part's are the sums). */
function addGradients(sums: tf.NamedTensorMap | null, part: tf.NamedTensorMap): tf.NamedTensorMap {
  if (sums === null) return part;
  const out: tf.NamedTensorMap = {};
  for (const name of Object.keys(sums)) {
    out[name] = tf.add(sums[name]!, part[name]!);
    sums[name]!.dispose();
    part[name]!.dispose();
  }
  return out;
}
