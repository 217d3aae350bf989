import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { configHash } from '../../src/config/hash';
import type { DatasetInfo } from '../../src/data/format';
import {
  conditionLayoutOf,
  conditionRows,
  conditionVector,
  conditionWidth,
  defaultClass,
  levelOfVelocity,
  velocityOfLevel,
} from '../../src/models/condition';
import { buildVae } from '../../src/models/vae';
import { buildConvVae } from '../../src/models/conv-vae';
import { Augmenter } from '../../src/train/augment';
import { userErrorOf } from '../helpers/errors';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A dataset description with these rows' classes and attack levels (nothing else is read). */
function infoOf(classes: (string | undefined)[], levels: (number | undefined)[], source = 'name'): DatasetInfo {
  return {
    version: 2,
    labels: { source },
    files: classes.map((c, i) => ({ class: c, attack_rms_dbfs: levels[i] })),
  } as unknown as DatasetInfo;
}

const both = { class: true, velocity: true };

describe('conditionLayoutOf', () => {
  test("lists the dataset's classes in the documented order with their counts, and its level range", () => {
    const info = infoOf(['snare', 'kick', 'snare', 'hat-closed', 'kick', 'snare'], [-20, -30, -10, -25, -12, -18]);
    const layout = conditionLayoutOf(both, info, 'ds');
    expect(layout.classes).toEqual(['kick', 'snare', 'hat-closed']);
    expect(layout.class_counts).toEqual([2, 3, 1]);
    expect(layout.velocity).toEqual({ feature: 'attack_rms_dbfs', min_dbfs: -30, max_dbfs: -10 });
    expect(conditionWidth(layout)).toBe(4);
    expect(conditionWidth(conditionLayoutOf({ class: true, velocity: false }, info, 'ds'))).toBe(3);
    expect(conditionWidth(conditionLayoutOf({ class: false, velocity: true }, info, 'ds'))).toBe(1);
  });

  test('refuses datasets that cannot teach what was asked, saying what to do', async () => {
    const v1 = { version: 1, files: [{}, {}] } as unknown as DatasetInfo;
    expect((await userErrorOf(() => conditionLayoutOf(both, v1, 'old-ds'))).message).toMatch(/dataset old-ds has none \(made before dataset format 2\).*preprocess/);
    expect((await userErrorOf(() => conditionLayoutOf({ class: false, velocity: true }, v1, 'old-ds'))).message).toMatch(/needs each row's level.*old-ds/);
    expect((await userErrorOf(() => conditionLayoutOf(both, infoOf(['unknown', 'unknown'], [-1, -9], 'none'), 'ds'))).message).toMatch(/every row of dataset ds is 'unknown'/);
    expect((await userErrorOf(() => conditionLayoutOf(both, infoOf(['snare', 'snare'], [-1, -9]), 'ds'))).message).toMatch(/every row of dataset ds is 'snare'.*condition.class: false/);
    expect((await userErrorOf(() => conditionLayoutOf({ class: false, velocity: true }, infoOf(['snare', 'kick'], [-12, -12.2]), 'ds'))).message).toMatch(
      /all have about one attack level \(-12.2…-12.0 dBFS\)/,
    );
  });
});

describe('condition vectors', () => {
  const layout = conditionLayoutOf(both, infoOf(['kick', 'snare', 'snare', 'hat-open'], [-30, -20, -15, -10]), 'ds');

  test('velocity is the position in the level range, and back', () => {
    expect(velocityOfLevel(layout, -30)).toBe(0);
    expect(velocityOfLevel(layout, -10)).toBe(1);
    expect(velocityOfLevel(layout, -15)).toBeCloseTo(0.75, 12);
    expect(levelOfVelocity(layout, 0.25)).toBeCloseTo(-25, 12);
    expect(velocityOfLevel(layout, -40)).toBeCloseTo(-0.5, 12); // outside: extrapolated, not clamped
  });

  test('a class is one-hot, a mix is normalised to sum 1, velocity last', () => {
    expect(Array.from(conditionVector(layout, { mix: { snare: 1 }, velocity: 0.8 }))).toEqual([0, 1, 0, Math.fround(0.8)]);
    const mixed = Array.from(conditionVector(layout, { mix: { kick: 1, 'hat-open': 3 }, velocity: 0 }));
    expect(mixed).toEqual([0.25, 0, 0.75, 0]);
  });

  test('defaults: the most common class and velocity 0.5', () => {
    expect(defaultClass(layout)).toBe('snare');
    expect(Array.from(conditionVector(layout, {}))).toEqual([0, 1, 0, 0.5]);
  });

  test('unknown classes, zero or negative weights and parts the model lacks are user errors naming the choices', async () => {
    expect((await userErrorOf(() => conditionVector(layout, { mix: { clap: 1 } }))).message).toMatch(/class 'clap' is not one the model was trained on \(kick, snare, hat-open\)/);
    expect((await userErrorOf(() => conditionVector(layout, { mix: { kick: 0 } }))).message).toMatch(/all 0/);
    expect((await userErrorOf(() => conditionVector(layout, { mix: { kick: -1, snare: 2 } }))).message).toMatch(/kick=-1 must be a number >= 0/);
    const classOnly = { ...layout, velocity: null };
    expect((await userErrorOf(() => conditionVector(classOnly, { velocity: 0.3 }))).message).toMatch(/not conditioned on velocity/);
    const velocityOnly = { ...layout, classes: null, class_counts: null };
    expect((await userErrorOf(() => conditionVector(velocityOnly, { mix: { kick: 1 } }))).message).toMatch(/not conditioned on class/);
  });

  test("conditionRows gives each dataset row its own class and level", () => {
    const info = infoOf(['kick', 'snare', 'snare', 'hat-open'], [-30, -20, -15, -10]);
    expect(Array.from(conditionRows(layout, info, [3, 0]))).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
  });
});

describe('augmentation keeps conditions true to the rows', () => {
  test('a gain of g dB moves velocity by g / range; a mix blends conditions with the rows’ λ and partner', () => {
    const spec = { gain_db: [-6, 6] as [number, number], polarity: false, shift_ms: 0, pitch_semitones: 0, mix: 0.5 };
    const augmenter = new Augmenter(spec, { sampleRate: 8000, length: 16, attack: 4 });
    const width = 3;
    const conditions = Float32Array.from([1, 0, 0.2, 0, 1, 0.9, 1, 0, 0.5]);
    const before = conditions.slice();
    const range = 20;
    augmenter.applyToConditions(conditions, width, 3, 77, 1 / range);
    const draws = augmenter.draws(3, 77);
    const gained = Array.from({ length: 3 }, (_, i) => Array.from(before.subarray(i * width, (i + 1) * width)).map((v, k) => (k === width - 1 ? v + draws[i]!.gainDb / range : v)));
    draws.forEach((d, i) => {
      const expected = gained[i]!.map((v, k) => v * (1 - d.lambda) + gained[d.partner]![k]! * d.lambda);
      expected.forEach((v, k) => expect(conditions[i * width + k]).toBeCloseTo(v, 5));
    });
    // The draws are those of apply() with the same seed, so rows and conditions move together.
    expect(draws.some((d) => Math.abs(d.gainDb) > 0.5)).toBe(true);
    expect(draws.some((d) => d.lambda > 0.05)).toBe(true);
  });
});

describe('model.condition in configs and run hashes', () => {
  const base = { model: { type: 'vae' }, data: { path: 'ds' } };

  test('null (the default) and all-false leave the hash of every earlier VAE run as it was; on, it is part of the hash', () => {
    const plain = configHash(resolveConfigObject(base, 'vae.yaml').config).fullHash;
    const off = configHash(resolveConfigObject({ ...base, model: { type: 'vae', condition: { class: false, velocity: false } } }, 'vae.yaml').config).fullHash;
    const onClass = configHash(resolveConfigObject({ ...base, model: { type: 'vae', condition: { class: true } } }, 'vae.yaml').config).fullHash;
    const onBoth = configHash(resolveConfigObject({ ...base, model: { type: 'vae', condition: { class: true, velocity: true } } }, 'vae.yaml').config).fullHash;
    expect(off).toBe(plain);
    expect(new Set([plain, onClass, onBoth]).size).toBe(3);
  });

  test('unknown keys and non-boolean values are refused, naming the key', async () => {
    expect((await userErrorOf(() => resolveConfigObject({ ...base, model: { type: 'vae', condition: { klass: true } } }, 'c.yaml'))).message).toMatch(/model\.condition/);
    expect((await userErrorOf(() => resolveConfigObject({ ...base, model: { type: 'vae', condition: { class: 'yes' } } }, 'c.yaml'))).message).toMatch(/model\.condition\.class/);
    expect((await userErrorOf(() => resolveConfigObject({ ...base, model: { type: 'dense-ae', size: 'small', activation: 'tanh', condition: { class: true } } }, 'c.yaml'))).message).toMatch(
      /model\.condition/,
    );
  });
});

describe('conditional networks', () => {
  test('the dense VAE takes [x, c] and [z, c], and its decoder output depends on the condition', () => {
    const parts = buildVae({ size: 'small', activation: 'tanh', latent: 2, length: 32, seed: 3, encoderUnits: [8], conditionWidth: 4 });
    expect(parts.decoder.inputs.map((i) => i.shape)).toEqual([[null, 2], [null, 4]]);
    expect(parts.meanEncoder.inputs.map((i) => i.shape)).toEqual([[null, 32], [null, 4]]);
    const z = tf.tensor2d([[0.3, -0.2]]);
    const a = parts.decoder.predict([z, tf.tensor2d([[1, 0, 0, 0.5]])]) as tf.Tensor;
    const b = parts.decoder.predict([z, tf.tensor2d([[0, 1, 0, 0.5]])]) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeGreaterThan(1e-4);
  });

  test('without a condition the dense VAE is exactly the unconditional one (same layers, same weights)', () => {
    const plain = buildVae({ size: 'small', activation: 'tanh', latent: 2, length: 32, seed: 3, encoderUnits: [8] });
    const zero = buildVae({ size: 'small', activation: 'tanh', latent: 2, length: 32, seed: 3, encoderUnits: [8], conditionWidth: 0 });
    expect(zero.decoder.layers.map((l) => l.name)).toEqual(plain.decoder.layers.map((l) => l.name));
    zero.decoder.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(plain.decoder.getWeights()[i]!.dataSync())));
  });

  test('the conv VAE takes the condition in its encoder heads and its decoder', () => {
    const parts = buildConvVae({ latent: 3, length: 1024, d: 1, upsample: 'transpose', seed: 2, conditionWidth: 2 });
    expect(parts.decoder.inputs.map((i) => i.shape)).toEqual([[null, 3], [null, 2]]);
    expect(parts.encoder.inputs.map((i) => i.shape)).toEqual([[null, 1024], [null, 2]]);
    const y = parts.decoder.predict([tf.zeros([2, 3]), tf.tensor2d([[1, 0], [0, 1]])]) as tf.Tensor;
    expect(y.shape).toEqual([2, 1024]);
    const [first, second] = tf.unstack(y);
    expect(tf.max(tf.abs(tf.sub(first!, second!))).dataSync()[0]).toBeGreaterThan(1e-6);
  });
});
