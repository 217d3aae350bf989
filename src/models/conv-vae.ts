import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng';
import { convDecoder, convEncoderLayers, Upsample } from './conv';
import type { VaeParts } from './vae';

export interface ConvVaeOptions {
  latent: number;
  length: number;
  d: number;
  upsample: Upsample;
  /** Seed of the initial weights: the same seed gives the same weights. */
  seed: number;
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
  let h = input as tf.SymbolicTensor;
  for (const layer of stack) h = layer.apply(h) as tf.SymbolicTensor;
  const head = (name: string) =>
    tf.layers.dense({ name, units: opts.latent, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }), biasInitializer: 'zeros' });
  const mean = head('enc_mean').apply(h) as tf.SymbolicTensor;
  const logVar = head('enc_log_var').apply(h) as tf.SymbolicTensor;
  const encoder = tf.model({ inputs: input, outputs: [mean, logVar], name: 'vae_encoder' });
  // Only the layers on the path to μ: its export has no log-variance head.
  const meanEncoder = tf.model({ inputs: input, outputs: mean, name: 'encoder' });
  const decoder = convDecoder(opts, rng);
  return { encoder, meanEncoder, decoder };
}
