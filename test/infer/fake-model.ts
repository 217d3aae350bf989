import * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../../src/export';
import type { OpenedModel } from '../../src/infer/model';

/**
 * An OpenedModel without training: dense layers with fixed weights, so a test controls exactly what the model
 * outputs (a constant above full scale, NaN latents …) and builds in milliseconds.
 */
export function fakeModel(opts: {
  length: number;
  sampleRate: number;
  attack: number;
  latent?: number;
  /** Decoder output = this constant for every sample (zero kernel, constant bias); default: small random weights. */
  decoderConstant?: number;
  /** Encoder output = this constant (NaN makes NaN latents); default: small random weights. */
  encoderConstant?: number;
  encoder?: boolean;
  latentPoints?: number[][];
  bounds?: { min: number[]; max: number[] };
  prior?: 'uniform' | 'normal' | null;
  dir?: string;
  trainingDataset?: string;
}): OpenedModel {
  const latent = opts.latent ?? 2;
  const dense = (inputs: number, units: number, constant: number | undefined, seed: number) =>
    tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [inputs],
          units,
          kernelInitializer: constant === undefined ? tf.initializers.randomNormal({ stddev: 0.1, seed }) : 'zeros',
          biasInitializer: constant === undefined ? 'zeros' : tf.initializers.constant({ value: constant }),
          activation: 'linear',
        }),
      ],
    });
  const meta: ModelMetadata & { training?: unknown } = {
    version: 1,
    name: 'fake',
    model_type: opts.encoder === false ? 'gan' : 'dense-ae',
    sample_rate: opts.sampleRate,
    length: opts.length,
    latent,
    latent_bounds: opts.bounds ?? { min: Array(latent).fill(-1), max: Array(latent).fill(1) },
    latent_prior: opts.prior ?? null,
    config_hash: 'fakehash',
    config: { data: { validation: 0.25 }, train: { seed: 1 } },
    losses: {},
    epochs: 0,
    preprocess: { channel: 'first', attack: opts.attack, length: opts.length, sample_rate: opts.sampleRate },
    ...(opts.latentPoints ? { latent_points: opts.latentPoints } : {}),
    sampgen_version: 'test',
    tfjs_version: 'test',
    created: new Date(0).toISOString(),
    parts: opts.encoder === false ? ['generator'] : ['encoder', 'decoder'],
    ...(opts.trainingDataset ? { training: { dataset: { path: opts.trainingDataset, count: 0 } } } : {}),
  };
  return {
    dir: opts.dir ?? 'models/fake',
    meta,
    decoder: dense(latent, opts.length, opts.decoderConstant, 1) as unknown as tf.LayersModel,
    encoder: opts.encoder === false ? undefined : (dense(opts.length, latent, opts.encoderConstant, 2) as unknown as tf.LayersModel),
  };
}
