import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { convDecoder, convEncoderLayers, Upsample, upsampleLayers } from './conv';
import { conditionalGain, conditionInput, VaeParts } from './vae';

export interface ConvVaeOptions {
  latent: number;
  length: number;
  d: number;
  upsample: Upsample;
  /** Seed of the initial weights: the same seed gives the same weights. */
  seed: number;
  /** Width of the condition vector of a conditional VAE (src/models/condition.ts); 0 or absent: unconditional. */
  conditionWidth?: number;
}

/**
 * A convolutional VAE: the conv autoencoder's encoder stack (WaveGAN's critic: five stride-4 convolutions with
 * LeakyReLU 0.2) ending in two linear heads, μ and log σ², and the conv autoencoder's decoder (WaveGAN's generator).
 * Stock layers only, so that the exported mean encoder and decoder load with plain tf.loadLayersModel.
 */
export function buildConvVae(opts: ConvVaeOptions): VaeParts {
  const rng = new Rng(opts.seed);
  // The stack up to its flatten; its final dense layer (to `outputs` units) is replaced by the two heads below.
  const stack = convEncoderLayers(opts, rng).slice(0, -1);
  const input = tf.input({ shape: [opts.length], name: 'enc_input' });
  // Conditional: the condition joins the flattened features before the heads, and the latent before the decoder's
  // dense projection (which spreads it over every position of the first feature map).
  const encCondition = conditionInput(opts.conditionWidth, 'enc_condition');
  const inputs = encCondition.input ? [input, encCondition.input] : input;
  let h = input as tf.SymbolicTensor;
  for (const layer of stack) h = layer.apply(h) as tf.SymbolicTensor;
  h = encCondition.withCondition(h, 'enc_join_condition');
  const head = (name: string) =>
    tf.layers.dense({ name, units: opts.latent, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }), biasInitializer: 'zeros' });
  const mean = head('enc_mean').apply(h) as tf.SymbolicTensor;
  const logVar = head('enc_log_var').apply(h) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs, outputs: [mean, logVar], name: 'vae_encoder' });
  // Only the layers on the path to μ: its export has no log-variance head.
  const meanEncoder = tf.model({ inputs, outputs: mean, name: 'encoder' });
  if (!opts.conditionWidth) return { encoder, meanEncoder, decoder: convDecoder(opts, rng) };
  const decInput = tf.input({ shape: [opts.latent], name: 'dec_input' });
  const decCondition = conditionInput(opts.conditionWidth, 'dec_condition');
  let g = decCondition.withCondition(decInput, 'dec_join_condition');
  for (const layer of upsampleLayers({ length: opts.length, d: opts.d, rng, prefix: 'dec', latent: opts.latent + opts.conditionWidth, upsample: opts.upsample })) {
    g = layer.apply(g) as tf.SymbolicTensor;
  }
  g = conditionalGain(g, decCondition.input!, opts.length, 'dec');
  const decoder = tf.model({ inputs: [decInput, decCondition.input!], outputs: g, name: 'decoder' });
  return { encoder, meanEncoder, decoder };
}
