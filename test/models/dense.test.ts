import * as tf from '@tensorflow/tfjs';
import {
  Activation,
  buildDenseAutoencoder,
  countParams,
  DENSE_HIDDEN_UNITS,
  DenseSize,
} from '../../src/models/dense';
import { UserError } from '../../src/errors';

const L = 64;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Units and activation of each Dense layer, read from the layers' own configs. */
function denseLayers(model: tf.LayersModel): { units: number; activation: string }[] {
  return model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l) => {
      const c = l.getConfig();
      return { units: c.units as number, activation: c.activation as string };
    });
}

/** Σ(in·out + out) over a chain of widths. */
function closedFormParams(widths: number[]): number {
  let n = 0;
  for (let i = 1; i < widths.length; i++) n += widths[i - 1]! * widths[i]! + widths[i]!;
  return n;
}

// The study's table, written out literally rather than derived from DENSE_HIDDEN_UNITS.
const TABLE: Record<DenseSize, { enc: number[]; dec: number[] }> = {
  small: { enc: [9, 2], dec: [9, L] },
  medium: { enc: [96, 24, 2], dec: [24, 96, L] },
  big: { enc: [384, 96, 24, 2], dec: [24, 96, 384, L] },
};

describe('buildDenseAutoencoder: the nine architectures', () => {
  const sizes: DenseSize[] = ['small', 'medium', 'big'];
  const activations: Activation[] = ['relu', 'tanh', 'sigmoid'];
  for (const size of sizes) {
    for (const activation of activations) {
      test(`${size} ${activation}`, () => {
        const { encoder, decoder, autoencoder } = buildDenseAutoencoder({ size, activation, latent: 2, length: L, seed: 1 });
        const enc = denseLayers(encoder);
        const dec = denseLayers(decoder);
        expect(enc.map((l) => l.units)).toEqual(TABLE[size].enc);
        expect(dec.map((l) => l.units)).toEqual(TABLE[size].dec);
        expect(enc.every((l) => l.activation === activation)).toBe(true);
        expect(dec.slice(0, -1).every((l) => l.activation === activation)).toBe(true);
        expect(dec[dec.length - 1]!.activation).toBe('linear');

        expect(encoder.inputs[0]!.shape).toEqual([null, L]);
        expect(encoder.outputs[0]!.shape).toEqual([null, 2]);
        expect(decoder.inputs[0]!.shape).toEqual([null, 2]);
        expect(decoder.outputs[0]!.shape).toEqual([null, L]);
        expect(autoencoder.outputs[0]!.shape).toEqual([null, L]);

        const encN = closedFormParams([L, ...TABLE[size].enc]);
        const decN = closedFormParams([2, ...TABLE[size].dec]);
        expect(countParams(encoder)).toBe(encN);
        expect(countParams(decoder)).toBe(decN);
        expect(countParams(autoencoder)).toBe(encN + decN);
      });
    }
  }

  test('DENSE_HIDDEN_UNITS is the table', () => {
    expect(DENSE_HIDDEN_UNITS).toEqual({ small: [9], medium: [96, 24], big: [384, 96, 24] });
  });
});

describe('buildDenseAutoencoder: options', () => {
  test('latent size and custom units', () => {
    const { encoder, decoder } = buildDenseAutoencoder({
      size: 'small', activation: 'tanh', latent: 3, length: L, seed: 0, encoderUnits: [10, 5], decoderUnits: [7],
    });
    expect(denseLayers(encoder).map((l) => l.units)).toEqual([10, 5, 3]);
    expect(denseLayers(decoder).map((l) => l.units)).toEqual([7, L]);
  });

  test('layer names are deterministic', () => {
    const { encoder, decoder, autoencoder } = buildDenseAutoencoder({ size: 'medium', activation: 'relu', latent: 2, length: L, seed: 0 });
    expect(encoder.layers.map((l) => l.name)).toEqual(['enc_input', 'enc_dense_1', 'enc_dense_2', 'enc_dense_3']);
    expect(decoder.layers.map((l) => l.name)).toEqual(['dec_input', 'dec_dense_1', 'dec_dense_2', 'dec_dense_3']);
    expect(autoencoder.layers.map((l) => l.name)).toEqual(['ae_input', 'encoder', 'decoder']);
  });

  test('the autoencoder is decoder(encoder(x)) with shared weights', () => {
    const { encoder, decoder, autoencoder } = buildDenseAutoencoder({ size: 'small', activation: 'sigmoid', latent: 2, length: L, seed: 5 });
    const x = tf.randomUniform([3, L], -1, 1, 'float32', 7);
    const joint = (autoencoder.predict(x) as tf.Tensor).dataSync();
    const chained = (decoder.predict(encoder.predict(x) as tf.Tensor) as tf.Tensor).dataSync();
    expect(Array.from(joint)).toEqual(Array.from(chained));
    expect(autoencoder.trainableWeights.length).toBe(encoder.trainableWeights.length + decoder.trainableWeights.length);
  });

  test('fitting the autoencoder trains the encoder and the decoder', async () => {
    const { encoder, decoder, autoencoder } = buildDenseAutoencoder({ size: 'small', activation: 'tanh', latent: 2, length: L, seed: 8 });
    const before = [...encoder.getWeights(), ...decoder.getWeights()].map((w) => Array.from(w.dataSync()));
    autoencoder.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const x = tf.randomUniform([8, L], -1, 1, 'float32', 12);
    await autoencoder.fit(x, x, { epochs: 1, batchSize: 8, verbose: 0 });
    const after = [...encoder.getWeights(), ...decoder.getWeights()].map((w) => Array.from(w.dataSync()));
    after.forEach((w, i) => expect(w).not.toEqual(before[i]));
  });

  test('bad options are user errors naming the field', () => {
    const base = { size: 'small' as DenseSize, activation: 'relu' as Activation, latent: 2, length: L, seed: 0 };
    expect(() => buildDenseAutoencoder({ ...base, latent: 0 })).toThrow(UserError);
    expect(() => buildDenseAutoencoder({ ...base, latent: 0 })).toThrow(/model\.latent/);
    expect(() => buildDenseAutoencoder({ ...base, length: 1.5 })).toThrow(/model\.length/);
    expect(() => buildDenseAutoencoder({ ...base, size: 'huge' as DenseSize })).toThrow(/model\.size/);
    expect(() => buildDenseAutoencoder({ ...base, activation: 'elu' as Activation })).toThrow(/model\.activation/);
  });
});

describe('buildDenseAutoencoder: seeded initial weights', () => {
  const weightsOf = (seed: number) => {
    const { autoencoder } = buildDenseAutoencoder({ size: 'medium', activation: 'tanh', latent: 2, length: L, seed });
    return autoencoder.getWeights().map((w) => Array.from(w.dataSync()));
  };

  test('same seed gives identical weights', () => {
    expect(weightsOf(42)).toEqual(weightsOf(42));
  });

  test('different seeds give different kernels', () => {
    const a = weightsOf(42);
    const b = weightsOf(43);
    // Kernels are the even-indexed weights (kernel, bias per Dense); biases start at zero for every seed.
    for (let i = 0; i < a.length; i += 2) expect(a[i]).not.toEqual(b[i]);
  });

  test('layers of one network get different kernels', () => {
    // Same-shaped kernels in one network must not repeat (each layer draws its own seed).
    const { encoder } = buildDenseAutoencoder({ size: 'small', activation: 'tanh', latent: 9, length: 9, seed: 3, encoderUnits: [9] });
    const [k1, , k2] = encoder.getWeights().map((w) => Array.from(w.dataSync()));
    expect(k1).not.toEqual(k2);
  });
});
