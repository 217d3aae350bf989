import * as tf from '@tensorflow/tfjs';
import '../util/quiet-tfjs'; // no TF.js notices (the cpu backend's tfjs-node advert) in sampgen's output
import { UserError } from '../errors';
import { Rng } from '../util/rng';

/**
 * The convolution stacks of WaveGAN (Donahue et al. 2019), shared by the convolutional autoencoder (this file) and
 * the GAN (wavegan.ts).
 *
 * Every 1-D convolution runs as a 2-D one on a [batch, 1, width, channels] view with kernels [1, 25]: tfjs-layers
 * has no Conv1DTranspose, and building it from stock Conv2DTranspose on that view (rather than a custom layer) means
 * an exported model loads with plain `tf.loadLayersModel`. Downsampling uses the same view so that both directions
 * run the same Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter kernels (the ones src/backend patches for wasm,
 * whose fast paths are for filter height 1).
 */

export const CONV_LAYERS = 5;
export const KERNEL_WIDTH = 25;
export const STRIDE = 4;
/** Five stride-4 layers divide the length by 4^5. */
export const LENGTH_UNIT = STRIDE ** CONV_LAYERS;
/** Leaky ReLU slope of the encoder/critic, as in WaveGAN. */
export const LEAKY_ALPHA = 0.2;

export type Upsample = 'transpose' | 'nn';
export const UPSAMPLES: readonly Upsample[] = ['transpose', 'nn'];

/** Channels after each downsampling layer: d, 2d, 4d, 8d, 16d. */
export function encoderChannels(d: number): number[] {
  return [1, 2, 4, 8, 16].map((m) => m * d);
}

/** Channels after each upsampling layer: 8d, 4d, 2d, d, 1. */
export function decoderChannels(d: number): number[] {
  return [8 * d, 4 * d, 2 * d, d, 1];
}

export interface ConvStackOptions {
  /** Samples per example; a positive multiple of 1024. */
  length: number;
  /** Model size d (WaveGAN uses 64). */
  d: number;
  /** Draws each kernel initializer's seed, in layer order, so that one integer fixes all initial weights. */
  rng: Rng;
  /** Layer name prefix ('enc', 'critic', 'dec', 'gen'): names are deterministic, and unique within a model. */
  prefix: string;
}

export function checkConvShape(length: number, d: number): void {
  if (!Number.isInteger(length) || length < LENGTH_UNIT || length % LENGTH_UNIT !== 0) {
    throw new UserError(
      `model.length must be a positive multiple of ${LENGTH_UNIT} (4^5: five stride-4 layers) for the convolutional models, got ${length}`,
    );
  }
  if (!Number.isInteger(d) || d < 1) throw new UserError(`model.d must be a positive integer, got ${d}`);
}

function checkPositiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) throw new UserError(`${field} must be a positive integer, got ${value}`);
}

function kernelInit(rng: Rng): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: rng.nextUint32() });
}

/**
 * Layers of the encoder / critic, in order: view [L] as [1, L, 1]; five convolutions (kernel 25, stride 4, 'same',
 * channels d..16d), each followed by the layer `activation(i)` returns; flatten; a linear dense layer with `outputs`
 * units. Each convolution is followed directly by its activation layer, so callers can find the blocks by position.
 */
export function downsampleLayers(
  opts: ConvStackOptions & { outputs: number; activation: (name: string) => tf.layers.Layer },
): tf.layers.Layer[] {
  checkConvShape(opts.length, opts.d);
  checkPositiveInt(opts.outputs, 'output size');
  const { prefix, rng } = opts;
  const layers: tf.layers.Layer[] = [tf.layers.reshape({ name: `${prefix}_view`, targetShape: [1, opts.length, 1], inputShape: [opts.length] })];
  encoderChannels(opts.d).forEach((filters, i) => {
    layers.push(
      tf.layers.conv2d({
        name: `${prefix}_conv_${i + 1}`,
        filters,
        kernelSize: [1, KERNEL_WIDTH],
        strides: [1, STRIDE],
        padding: 'same',
        kernelInitializer: kernelInit(rng),
        biasInitializer: 'zeros',
      }),
      opts.activation(`${prefix}_act_${i + 1}`),
    );
  });
  layers.push(
    tf.layers.flatten({ name: `${prefix}_flatten` }),
    tf.layers.dense({ name: `${prefix}_dense`, units: opts.outputs, kernelInitializer: kernelInit(rng), biasInitializer: 'zeros' }),
  );
  return layers;
}

/**
 * One stride-4 upsampling 1-D convolution on the [1, width, channels] view, from stock layers only:
 * 'transpose': Conv2DTranspose, kernel [1, 25], strides [1, 4], 'same' (a Conv1DTranspose);
 * 'nn': nearest-neighbour UpSampling2D by [1, 4], then Conv2D, kernel [1, 25], stride 1, 'same'.
 */
export function upsampleConv(
  kind: Upsample,
  opts: { name: string; filters: number; activation: 'relu' | 'tanh'; rng: Rng },
): tf.layers.Layer[] {
  const common = {
    filters: opts.filters,
    kernelSize: [1, KERNEL_WIDTH],
    padding: 'same' as const,
    activation: opts.activation,
    kernelInitializer: kernelInit(opts.rng),
    biasInitializer: 'zeros' as const,
  };
  switch (kind) {
    case 'transpose':
      return [tf.layers.conv2dTranspose({ ...common, name: opts.name, strides: [1, STRIDE] })];
    case 'nn':
      return [
        tf.layers.upSampling2d({ name: `${opts.name}_upsample`, size: [1, STRIDE], interpolation: 'nearest' }),
        tf.layers.conv2d({ ...common, name: opts.name, strides: 1 }),
      ];
    default:
      throw new UserError(`model.upsample must be one of ${UPSAMPLES.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}

/**
 * Layers of the decoder / generator, in order: dense from the latent to (L/1024)·16d, view as [1, L/1024, 16d],
 * ReLU, five stride-4 upsampling convolutions (channels 8d, 4d, 2d, d, 1; ReLU after each but the last, tanh at
 * the end), and a view back to [L].
 */
export function upsampleLayers(opts: ConvStackOptions & { latent: number; upsample: Upsample }): tf.layers.Layer[] {
  checkConvShape(opts.length, opts.d);
  checkPositiveInt(opts.latent, 'model.latent');
  if (!UPSAMPLES.includes(opts.upsample)) {
    throw new UserError(`model.upsample must be one of ${UPSAMPLES.join(', ')}, got ${JSON.stringify(opts.upsample)}`);
  }
  const { prefix, rng } = opts;
  const width = opts.length / LENGTH_UNIT;
  const layers: tf.layers.Layer[] = [
    tf.layers.dense({
      name: `${prefix}_dense`,
      units: width * 16 * opts.d,
      inputShape: [opts.latent],
      kernelInitializer: kernelInit(rng),
      biasInitializer: 'zeros',
    }),
    tf.layers.reshape({ name: `${prefix}_view`, targetShape: [1, width, 16 * opts.d] }),
    tf.layers.reLU({ name: `${prefix}_relu` }),
  ];
  const channels = decoderChannels(opts.d);
  channels.forEach((filters, i) => {
    const last = i === channels.length - 1;
    layers.push(...upsampleConv(opts.upsample, { name: `${prefix}_upconv_${i + 1}`, filters, activation: last ? 'tanh' : 'relu', rng }));
  });
  layers.push(tf.layers.reshape({ name: `${prefix}_output`, targetShape: [opts.length] }));
  return layers;
}

export interface ConvAutoencoderOptions {
  latent: number;
  length: number;
  d: number;
  upsample: Upsample;
  /** Seed of the initial weights: the same seed gives the same weights. */
  seed: number;
}

export interface ConvAutoencoderParts {
  encoder: tf.Sequential;
  decoder: tf.Sequential;
}

/**
 * The study's convolutional autoencoder: WaveGAN's critic as the encoder (stock LeakyReLU 0.2, no phase shuffle,
 * a linear dense layer to the latent) and WaveGAN's generator as the decoder. Two separate models of stock layers,
 * so that each exports on its own; training applies decoder(encoder(x)).
 */
export function buildConvAutoencoder(opts: ConvAutoencoderOptions): ConvAutoencoderParts {
  if (!Number.isInteger(opts.seed)) throw new UserError(`train.seed must be an integer, got ${opts.seed}`);
  checkPositiveInt(opts.latent, 'model.latent');
  const rng = new Rng(opts.seed);
  const encoder = tf.sequential({ name: 'encoder', layers: convEncoderLayers(opts, rng) });
  const decoder = convDecoder(opts, rng);
  return { encoder, decoder };
}

/**
 * The conv autoencoders' encoder stack: WaveGAN's critic with stock LeakyReLU 0.2, no phase shuffle, and a linear
 * dense layer to the latent. Its initializer seeds are drawn from `rng` (draw the encoder's before the decoder's).
 */
export function convEncoderLayers(opts: { length: number; d: number; latent: number }, rng: Rng): tf.layers.Layer[] {
  return downsampleLayers({
    length: opts.length,
    d: opts.d,
    rng,
    prefix: 'enc',
    outputs: opts.latent,
    activation: (name) => tf.layers.leakyReLU({ name, alpha: LEAKY_ALPHA }),
  });
}

/** The conv autoencoders' decoder: WaveGAN's generator, its seeds drawn from `rng`. */
export function convDecoder(opts: { length: number; d: number; latent: number; upsample: Upsample }, rng: Rng): tf.Sequential {
  return tf.sequential({
    name: 'decoder',
    layers: upsampleLayers({ length: opts.length, d: opts.d, rng, prefix: 'dec', latent: opts.latent, upsample: opts.upsample }),
  });
}
