/**
 * A model family in one module: a linear autoencoder (one dense layer each way, no activation). It learns the
 * principal subspace of the training set, the classic baseline any nonlinear autoencoder should beat.
 * docs/extending.md walks through it; test/models/extending.test.ts trains it.
 */
import * as tf from '@tensorflow/tfjs';
import type { SampgenConfig } from '../../src/config/types';
import { registerFamily } from '../../src/models/family';
import { LATENT, LENGTH, withDefault } from '../../src/models/families/keys';
import { AutoencoderTrainer } from '../../src/train/autoencoder-trainer';
import { optimizerFor } from '../../src/train/optimizer';
import { Rng } from '../../src/util/rng';

/** The model section this family reads (besides `type`). */
interface LinearAeModel {
  latent: number;
  length: number;
  bias: boolean;
}

export const LINEAR_AE = registerFamily({
  type: 'linear-ae',
  description: 'a linear autoencoder (the principal-subspace baseline)',
  // Keys other families share are reused (same values accepted); a new key brings its schema and meaning.
  modelKeys: {
    latent: withDefault(LATENT, 2),
    length: withDefault(LENGTH, 17640),
    bias: {
      schema: { type: 'boolean', description: 'true or false' },
      default: true,
      meaning: 'Whether the encoder and decoder layers have a bias (false: a pure linear map through the origin).',
    },
  },
  // Networks from the config, initial weights from the seed, and the trainer (here the autoencoders' own).
  buildTrainer(config: SampgenConfig, initSeed: number) {
    const model = config.model as unknown as LinearAeModel;
    const rng = new Rng(initSeed);
    const dense = (name: string, units: number, inputs: number) =>
      tf.layers.dense({
        name,
        units,
        inputShape: [inputs],
        useBias: model.bias,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.nextUint32() }),
      });
    // Two models of stock layers, named encoder and decoder: each exports on its own and loads with
    // tf.loadLayersModel, and sampgen's generate, encode, latent-map and audition use them as they are.
    const encoder = tf.sequential({ name: 'encoder', layers: [dense('enc', model.latent, model.length)] });
    const decoder = tf.sequential({ name: 'decoder', layers: [dense('dec', model.length, model.latent)] });
    return new AutoencoderTrainer(encoder, decoder, optimizerFor(config.train), config.train.loss);
  },
});
