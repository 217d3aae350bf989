import * as tf from '@tensorflow/tfjs';
import '../util/quiet-tfjs'; // no TF.js notices (the cpu backend's tfjs-node advert) in sampgen's output
import { UserError } from '../errors';
import { Rng } from '../util/rng';

/**
 * The study's nine dense autoencoders: three sizes × three activations.
 *
 * Encoder and decoder are built as separate functional LayersModels of stock `Dense` layers so that each one
 * exports on its own and loads with plain `tf.loadLayersModel` (no custom classes). The autoencoder that
 * training fits is `decoder(encoder(x))`, sharing those very layers, so training it trains both parts.
 */

export type DenseSize = 'small' | 'medium' | 'big';
export type Activation = 'relu' | 'tanh' | 'sigmoid';

export const DENSE_SIZES: readonly DenseSize[] = ['small', 'medium', 'big'];
export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid'];

/** Units of the encoder's layers before the latent layer; the decoder mirrors them before its output layer. */
export const DENSE_HIDDEN_UNITS: Record<DenseSize, number[]> = {
  small: [9],
  medium: [96, 24],
  big: [384, 96, 24],
};

export interface AutoencoderParts {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  autoencoder: tf.LayersModel;
}

export interface DenseAutoencoderOptions {
  size: DenseSize;
  activation: Activation;
  /** Latent size (the study uses 2). */
  latent: number;
  /** Sample length L: the encoder's input and the decoder's output width. */
  length: number;
  /** Seed of the initial weights: the same seed gives the same weights. */
  seed: number;
  /** Encoder units before the latent layer; default DENSE_HIDDEN_UNITS[size]. */
  encoderUnits?: number[];
  /** Decoder units before its L-wide output layer; default the encoder's units reversed. */
  decoderUnits?: number[];
}

function checkPositiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new UserError(`${field} must be a positive integer, got ${value}`);
  }
}

/**
 * Checks the options shared by the dense autoencoders and the VAEs and returns the hidden layer widths: the
 * encoder's (default the size table's) and the decoder's (default the encoder's reversed).
 */
export function denseLayout(opts: DenseAutoencoderOptions): { encoderHidden: number[]; decoderHidden: number[] } {
  if (!DENSE_SIZES.includes(opts.size)) {
    throw new UserError(`model.size must be one of ${DENSE_SIZES.join(', ')}, got ${JSON.stringify(opts.size)}`);
  }
  if (!ACTIVATIONS.includes(opts.activation)) {
    throw new UserError(`model.activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(opts.activation)}`);
  }
  checkPositiveInt(opts.latent, 'model.latent');
  checkPositiveInt(opts.length, 'model.length');
  if (!Number.isInteger(opts.seed)) throw new UserError(`train.seed must be an integer, got ${opts.seed}`);
  const encoderHidden = opts.encoderUnits ?? DENSE_HIDDEN_UNITS[opts.size];
  const decoderHidden = opts.decoderUnits ?? [...encoderHidden].reverse();
  encoderHidden.forEach((u, i) => checkPositiveInt(u, `model.encoder_units[${i}]`));
  decoderHidden.forEach((u, i) => checkPositiveInt(u, `model.decoder_units[${i}]`));
  return { encoderHidden, decoderHidden };
}

/**
 * A factory of Dense layers whose initializer seeds come, in call order, from one generator seeded with `seed`,
 * so that a whole network's initial weights follow from that one integer (tfjs' seeded glorotUniform is
 * deterministic per seed).
 */
export function seededDenseFactory(seed: number): (name: string, units: number, activation: Activation | 'linear') => tf.layers.Layer {
  const rng = new Rng(seed);
  return (name, units, activation) =>
    tf.layers.dense({
      name,
      units,
      activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }),
      biasInitializer: 'zeros',
    });
}

/**
 * Builds the encoder, the decoder and the joint autoencoder. Every layer uses `activation`, the latent layer
 * included, except the decoder's last, which is linear because samples are both positive and negative.
 */
export function buildDenseAutoencoder(opts: DenseAutoencoderOptions): AutoencoderParts {
  const { encoderHidden, decoderHidden } = denseLayout(opts);
  const dense = seededDenseFactory(opts.seed);

  const encInput = tf.input({ shape: [opts.length], name: 'enc_input' });
  let h = encInput;
  const encUnits = [...encoderHidden, opts.latent];
  encUnits.forEach((units, i) => {
    h = dense(`enc_dense_${i + 1}`, units, opts.activation).apply(h) as tf.SymbolicTensor;
  });
  const encoder = tf.model({ inputs: encInput, outputs: h, name: 'encoder' });

  const decInput = tf.input({ shape: [opts.latent], name: 'dec_input' });
  let g = decInput;
  decoderHidden.forEach((units, i) => {
    g = dense(`dec_dense_${i + 1}`, units, opts.activation).apply(g) as tf.SymbolicTensor;
  });
  g = dense(`dec_dense_${decoderHidden.length + 1}`, opts.length, 'linear').apply(g) as tf.SymbolicTensor;
  const decoder = tf.model({ inputs: decInput, outputs: g, name: 'decoder' });

  const aeInput = tf.input({ shape: [opts.length], name: 'ae_input' });
  const aeOutput = decoder.apply(encoder.apply(aeInput)) as tf.SymbolicTensor;
  const autoencoder = tf.model({ inputs: aeInput, outputs: aeOutput, name: 'autoencoder' });

  return { encoder, decoder, autoencoder };
}

/** Number of scalar weights (trainable and not) of a model. */
export function countParams(model: tf.LayersModel): number {
  return model.countParams();
}

/** Samples per example of the study's dense models (0.4 s at 44.1 kHz). */
export const DENSE_LENGTH = 17640;
