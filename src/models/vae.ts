import * as tf from '@tensorflow/tfjs';
import { Activation, DenseSize, denseLayout, seededDenseFactory } from './dense';

/**
 * The study's variational autoencoders (VAEs A, B, C differ only in their KL weight, which is training's
 * business): a dense encoder that ends in two linear heads, the mean μ and the log-variance log σ² of a
 * diagonal Gaussian q(z|x), and a dense decoder from z back to the samples.
 *
 * All three models are functional LayersModels of stock `Dense` layers:
 * - `encoder` (training): x → [μ, log σ²]; the sampling step z = μ + σ·ε happens in the training step (with a
 *   seeded ε), not in a layer, because it is a training-time detail and a custom sampling layer would not
 *   load in stock TF.js;
 * - `meanEncoder`: x → μ, built on the very same layers (it shares their weights), which is what a user
 *   encodes with and what is exported as `encoder/`;
 * - `decoder`: z → x̂, exported alone as `decoder/`.
 */

export interface VaeOptions {
  size: DenseSize;
  activation: Activation;
  /** Latent size (2: a plane a user can explore). */
  latent: number;
  /** Sample length L: the encoder's input and the decoder's output width. */
  length: number;
  /** Seed of the initial weights: the same seed gives the same weights. */
  seed: number;
  /** Encoder units before the μ / log σ² heads; default DENSE_HIDDEN_UNITS[size] (medium: 96, 24). */
  encoderUnits?: number[];
  /** Decoder units before its L-wide linear output layer; default the encoder's units reversed. */
  decoderUnits?: number[];
  /** Width of the condition vector of a conditional VAE (src/models/condition.ts); 0 or absent: unconditional. */
  conditionWidth?: number;
}

export interface VaeParts {
  /** x → [μ, log σ²] (two outputs, in that order); [x, c] → … when conditional. */
  encoder: tf.LayersModel;
  /** x → μ, sharing the encoder's layers; [x, c] → μ when conditional. */
  meanEncoder: tf.LayersModel;
  /** z → x̂ (linear output); [z, c] → x̂ when conditional. */
  decoder: tf.LayersModel;
}

/** softplus(b) = 1: the conditional gain starts at 1 everywhere, so a fresh conditional decoder is a plain one. */
const UNIT_SOFTPLUS_BIAS = Math.log(Math.E - 1);

/**
 * The output of a conditional decoder: its waveform times a per-sample gain computed from the condition,
 * gain = softplus(W·c + b) (positive; W starts at 0 and b at softplus⁻¹(1), so training starts from gain 1).
 * Why: velocity is a level, a multiplication of the waveform, and the condition joined to the layers' inputs can
 * only add to them; the tanh layers would have to learn a product, and in tests they hardly did (a velocity of 0.9
 * came out 15% louder than 0.1 instead of 5×). A gain per sample, not one per example, also lets the level shape
 * the envelope (a harder hit rings longer). Stock Dense and Multiply layers, so the decoder still loads anywhere.
 */
export function conditionalGain(waveform: tf.SymbolicTensor, condition: tf.SymbolicTensor, length: number, prefix: string): tf.SymbolicTensor {
  const gain = tf.layers
    .dense({ name: `${prefix}_gain`, units: length, activation: 'softplus', kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: UNIT_SOFTPLUS_BIAS }) })
    .apply(condition) as tf.SymbolicTensor;
  return tf.layers.multiply({ name: `${prefix}_apply_gain` }).apply([waveform, gain]) as tf.SymbolicTensor;
}

/**
 * A conditional model's condition input and a function that appends the condition to a layer's input; without a
 * condition (width 0), no input and the identity, so an unconditional model keeps exactly its layers and names.
 */
export function conditionInput(width: number | undefined, name: string): { input: tf.SymbolicTensor | null; withCondition: (h: tf.SymbolicTensor, at: string) => tf.SymbolicTensor } {
  if (!width) return { input: null, withCondition: (h) => h };
  const input = tf.input({ shape: [width], name });
  return { input, withCondition: (h, at) => tf.layers.concatenate({ name: at }).apply([h, input]) as tf.SymbolicTensor };
}

export function buildVae(opts: VaeOptions): VaeParts {
  const { encoderHidden, decoderHidden } = denseLayout(opts);
  // As in the dense autoencoders: every layer's initializer seed follows from the one integer seed.
  const dense = seededDenseFactory(opts.seed);

  const encInput = tf.input({ shape: [opts.length], name: 'enc_input' });
  // Conditional: the condition joins the encoder before its heads (what the latent need not encode: the class and
  // level are given) and the decoder at every layer's input, so that no depth can wash it out (Neural Drum Machine
  // found one join at the input too weak).
  const encCondition = conditionInput(opts.conditionWidth, 'enc_condition');
  const encInputs = encCondition.input ? [encInput, encCondition.input] : encInput;
  let h = encInput;
  encoderHidden.forEach((units, i) => {
    h = dense(`enc_dense_${i + 1}`, units, opts.activation).apply(h) as tf.SymbolicTensor;
  });
  h = encCondition.withCondition(h, 'enc_join_condition');
  // Linear heads: μ and log σ² range over all reals (log σ² so that σ² = exp(·) is positive without a constraint).
  const mean = dense('enc_mean', opts.latent, 'linear').apply(h) as tf.SymbolicTensor;
  const logVar = dense('enc_log_var', opts.latent, 'linear').apply(h) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: encInputs, outputs: [mean, logVar], name: 'vae_encoder' });
  // Only the layers on the path to μ belong to this model, so its export has no log-variance head.
  const meanEncoder = tf.model({ inputs: encInputs, outputs: mean, name: 'encoder' });

  const decInput = tf.input({ shape: [opts.latent], name: 'dec_input' });
  const decCondition = conditionInput(opts.conditionWidth, 'dec_condition');
  let g = decInput;
  decoderHidden.forEach((units, i) => {
    g = decCondition.withCondition(g, `dec_join_condition_${i + 1}`);
    g = dense(`dec_dense_${i + 1}`, units, opts.activation).apply(g) as tf.SymbolicTensor;
  });
  g = decCondition.withCondition(g, `dec_join_condition_${decoderHidden.length + 1}`);
  // Linear output: samples are both positive and negative.
  g = dense(`dec_dense_${decoderHidden.length + 1}`, opts.length, 'linear').apply(g) as tf.SymbolicTensor;
  if (decCondition.input) g = conditionalGain(g, decCondition.input, opts.length, 'dec');
  const decoder = tf.model({ inputs: decCondition.input ? [decInput, decCondition.input] : decInput, outputs: g, name: 'decoder' });

  return { encoder, meanEncoder, decoder };
}

/**
 * The reparameterisation trick: z = μ + exp(½·log σ²) ⊙ ε. Written as a function of a given ε so that z is
 * differentiable in μ and log σ² (ε is a constant to the gradient) and so tests can pass a known ε.
 */
export function reparameterize(mean: tf.Tensor2D, logVar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps)) as tf.Tensor2D);
}

/**
 * z ~ q(z|x) with ε ~ N(0, I) drawn by tf.randomNormal from `seed`: the same seed gives the same ε, so a
 * training step's randomness follows from the step's seed alone (exact resume, no generator state).
 */
export function sampleLatent(mean: tf.Tensor2D, logVar: tf.Tensor2D, seed: number): tf.Tensor2D {
  return tf.tidy(() => reparameterize(mean, logVar, tf.randomNormal(mean.shape, 0, 1, 'float32', seed)));
}

/**
 * KL(N(μ, diag σ²) ‖ N(0, I)) in closed form, per example: −½ Σ_d (1 + log σ²_d − μ_d² − σ²_d).
 * Normalisation: summed over the latent dimensions (it is one divergence between two d-dimensional
 * distributions), averaged over the batch (so it does not grow with the batch size), as the Keras VAE
 * examples that the study followed do.
 */
export function gaussianKl(mean: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const terms = tf.sub(tf.sub(tf.add(1, logVar), tf.square(mean)), tf.exp(logVar));
    return tf.mean(tf.mul(tf.sum(terms, 1), -0.5)) as tf.Scalar;
  });
}
