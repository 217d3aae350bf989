/**
 * train.augment (issue 12): each part against its closed form, the draws reproducible from (seed, step), the config
 * validated and hashed only when on, and training runs that repeat, resume bit for bit, never augment validation,
 * and are unchanged when augmentation is off.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { AUGMENT_DEFAULTS } from '../../src/config/defaults';
import { trainModel, EpochContext } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { Progress, silentProgress } from '../../src/progress';
import { newStopFlag } from '../../src/train/stop';
import { trainingSplit } from '../../src/data';
import { deriveSeed, SeedStream } from '../../src/train/seeds';
import {
  applyGain,
  Augmenter,
  createAugmenter,
  flipPolarity,
  mixInto,
  pitchShift,
  PITCH_STEPS_PER_SIDE,
  shiftRow,
} from '../../src/train/augment';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const LENGTH = 64;

function noise(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296) * 2 - 1);
}

/** Frequency of a sine from its rising zero crossings (linearly interpolated) between two sample indices. */
function sineFrequency(x: Float32Array, from: number, to: number, sampleRate: number): number {
  const crossings: number[] = [];
  for (let t = from; t < to; t++) {
    if (x[t]! < 0 && x[t + 1]! >= 0) crossings.push(t + x[t]! / (x[t]! - x[t + 1]!));
  }
  return ((crossings.length - 1) / (crossings.at(-1)! - crossings[0]!)) * sampleRate;
}

describe('augmentation parts against their closed forms', () => {
  test('gain multiplies by 10^(dB/20); polarity negates; mix is x(1−λ) + yλ', () => {
    const x = noise(32);
    const gained = x.slice();
    applyGain(gained, -6);
    x.forEach((v, i) => expect(gained[i]).toBe(Math.fround(v * 10 ** (-6 / 20))));
    const flipped = x.slice();
    flipPolarity(flipped);
    x.forEach((v, i) => expect(flipped[i]).toBe(-v));
    const y = noise(32, 9);
    const mixed = x.slice();
    mixInto(mixed, y, 0.3);
    x.forEach((v, i) => expect(mixed[i]).toBe(Math.fround(v * 0.7 + y[i]! * 0.3)));
  });

  test('a shift by k samples moves the row and fills with zeros, both ways', () => {
    const x = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    const later = x.slice();
    shiftRow(later, 3);
    expect(Array.from(later)).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
    const earlier = x.slice();
    shiftRow(earlier, -2);
    expect(Array.from(earlier)).toEqual([3, 4, 5, 6, 7, 8, 0, 0]);
    const gone = x.slice();
    shiftRow(gone, 8);
    expect(Array.from(gone)).toEqual(new Array(8).fill(0));
  });

  test.each([3, -2])('a pitch shift of %d semitones scales a sine\'s frequency by 2^(s/12) and keeps its onset at the attack', (semitones) => {
    const sampleRate = 8000;
    const attack = 1024;
    const f = 200;
    // Silence, then a sine from the attack on: the onset must stay where it was.
    const x = Float32Array.from({ length: 4096 }, (_, t) => (t < attack ? 0 : Math.sin((2 * Math.PI * f * (t - attack)) / sampleRate)));
    const y = pitchShift(x, semitones, sampleRate, attack);
    expect(y.length).toBe(x.length);
    const got = sineFrequency(y, attack + 200, attack + 2000, sampleRate);
    expect(Math.abs(got / (f * 2 ** (semitones / 12)) - 1)).toBeLessThan(1e-3);
    // The phase at the attack is kept too: a sine starting at the attack crosses zero upwards there again after one
    // new period (the attack stays put to within half a sample).
    const period = sampleRate / (f * 2 ** (semitones / 12));
    const nearOnePeriod = Array.from({ length: 7 }, (_, k) => Math.round(attack + period) - 3 + k).find((t) => y[t]! < 0 && y[t + 1]! >= 0)!;
    const crossing = nearOnePeriod + y[nearOnePeriod]! / (y[nearOnePeriod]! - y[nearOnePeriod + 1]!);
    expect(Math.abs(crossing - (attack + period))).toBeLessThan(0.5 + 1e-3);
  });

  test('a pitch shift keeps a peak at the attack index (it would move to attack/2^(s/12) otherwise)', () => {
    const attack = 300;
    // A smooth (band-limited) bump centred on the attack.
    const x = Float32Array.from({ length: 1024 }, (_, t) => Math.exp(-(((t - attack) / 6) ** 2)));
    for (const s of [4, -4]) {
      const y = pitchShift(x, s, 44100, attack);
      const peak = y.indexOf(Math.max(...y));
      expect(Math.abs(peak - attack)).toBeLessThanOrEqual(1);
    }
  });
});

describe('Augmenter', () => {
  const target = { sampleRate: 8000, length: LENGTH, attack: 16 };
  const all = { gain_db: [-6, 6] as [number, number], polarity: true, shift_ms: 1, pitch_semitones: 2, mix: 0.3 };

  test('the same seed gives the same batch; another seed another', () => {
    const rows = decayingSines(6, LENGTH).reduce((acc, r, i) => (acc.set(r, i * LENGTH), acc), new Float32Array(6 * LENGTH));
    const a = rows.slice();
    const b = rows.slice();
    const c = rows.slice();
    const augmenter = new Augmenter(all, target);
    augmenter.apply(a, 6, 11);
    augmenter.apply(b, 6, 11);
    augmenter.apply(c, 6, 12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a).not.toEqual(rows);
  });

  test('draws stay in their ranges, pitch takes its 15 steps, partners are other examples of the batch', () => {
    const augmenter = new Augmenter(all, target);
    const steps = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      augmenter.draws(5, seed).forEach((d, i) => {
        expect(d.gainDb).toBeGreaterThanOrEqual(-6);
        expect(d.gainDb).toBeLessThanOrEqual(6);
        expect(Number.isInteger(d.shift) && Math.abs(d.shift) <= 8).toBe(true); // 1 ms at 8 kHz
        expect(d.lambda).toBeGreaterThanOrEqual(0);
        expect(d.lambda).toBeLessThanOrEqual(0.3);
        expect(d.partner).not.toBe(i);
        expect(d.partner).toBeLessThan(5);
        steps.add(Math.round((d.semitones * PITCH_STEPS_PER_SIDE) / 2));
      });
    }
    expect([...steps].sort((p, q) => p - q)).toEqual(Array.from({ length: 15 }, (_, k) => k - 7));
  });

  test('each part uses the same draws whichever others are on', () => {
    const gainOnly = new Augmenter({ ...AUGMENT_DEFAULTS, gain_db: [-6, 6] }, target);
    const rows = noise(4 * LENGTH);
    const a = rows.slice();
    gainOnly.apply(a, 4, 5);
    const withFlip = rows.slice();
    new Augmenter({ ...AUGMENT_DEFAULTS, gain_db: [-6, 6], polarity: true }, target).apply(withFlip, 4, 5);
    const draws = gainOnly.draws(4, 5);
    for (let i = 0; i < 4; i++) {
      const sign = draws[i]!.flip ? -1 : 1;
      for (let t = 0; t < LENGTH; t++) expect(withFlip[i * LENGTH + t]).toBe(sign * a[i * LENGTH + t]!);
    }
    // The gain is the closed form with the drawn dB.
    for (let t = 0; t < LENGTH; t++) expect(a[t]).toBe(Math.fround(rows[t]! * 10 ** (draws[0]!.gainDb / 20)));
  });

  test('mixing blends each example with its drawn partner from the same batch, as the partner was before mixing', () => {
    const augmenter = new Augmenter({ ...AUGMENT_DEFAULTS, mix: 0.5 }, target);
    const rows = noise(3 * LENGTH);
    const out = rows.slice();
    augmenter.apply(out, 3, 8);
    augmenter.draws(3, 8).forEach((d, i) => {
      for (let t = 0; t < LENGTH; t++) {
        expect(out[i * LENGTH + t]).toBe(Math.fround(rows[i * LENGTH + t]! * (1 - d.lambda) + rows[d.partner * LENGTH + t]! * d.lambda));
      }
    });
  });

  test('every part off is no augmenter at all; a shift as long as a row is refused', () => {
    expect(createAugmenter(null, target)).toBeNull();
    expect(createAugmenter({ ...AUGMENT_DEFAULTS }, target)).toBeNull();
    expect(createAugmenter({ ...AUGMENT_DEFAULTS, gain_db: [0, 0] }, target)).toBeNull();
    expect(() => new Augmenter({ ...AUGMENT_DEFAULTS, shift_ms: 8 }, target)).toThrow(/train.augment.shift_ms 8 is 64 samples .* 8000 Hz.*\(64 samples\)/);
  });
});

function baseObject(root: string, data: string, train: Record<string, unknown> = {}) {
  return {
    name: 'tiny',
    model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
    data: { path: data, validation: 0.25 },
    train: { epochs: 2, batch_size: 6, lr: 0.01, seed: 3, backend: 'cpu', checkpoint_every: 1, log_every: 1, ...train },
    output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
  };
}
const resolve = (obj: object, sets: string[] = []) => resolveConfigObject(obj, 'test config', sets);

describe('config', () => {
  const obj = baseObject('/r', '/d');
  test('augment and init_from enter the hash only when on', () => {
    const plain = resolve(obj);
    expect(resolve(obj, ['train.augment=null']).fullHash).toBe(plain.fullHash);
    expect(resolve(obj, ['train.augment={}']).fullHash).toBe(plain.fullHash);
    expect(resolve(obj, ['train.augment={polarity: false, gain_db: [0, 0]}']).fullHash).toBe(plain.fullHash);
    expect(resolve(obj, ['train.init_from=null']).fullHash).toBe(plain.fullHash);
    expect(plain.legacyFullHash).not.toBeNull();
    const hashes = new Set(
      ['train.augment={gain_db: [-6, 6]}', 'train.augment={gain_db: [-3, 6]}', 'train.augment={polarity: true}', 'train.augment={shift_ms: 2}',
        'train.augment={pitch_semitones: 1}', 'train.augment={mix: 0.2}', 'train.init_from=models/a', 'train.init_from=models/b'].map((set) => {
        const loaded = resolve(obj, [set]);
        expect(loaded.legacyFullHash).toBeNull();
        return loaded.fullHash;
      }),
    );
    expect(hashes.size).toBe(8);
    expect(hashes.has(plain.fullHash)).toBe(false);
    // Parts left at their off value do not count: spelling them out is the same experiment.
    expect(resolve(obj, ['train.augment={gain_db: [-6, 6], mix: 0}']).fullHash).toBe(resolve(obj, ['train.augment={gain_db: [-6, 6]}']).fullHash);
  });

  test('a partial mapping is filled with parts off', () => {
    expect(resolve(obj, ['train.augment={polarity: true}']).config.train.augment).toEqual({ ...AUGMENT_DEFAULTS, polarity: true });
    expect(resolve(obj).config.train.augment).toBeNull();
    expect(resolve(obj).config.train.init_from).toBeNull();
  });

  test.each([
    ['train.augment={gain_db: [6, -6]}', /train.augment.gain_db must be a list \[low, high\] of two gains in dB with low <= high, got \[6,-6\]/],
    ['train.augment={gain_db: [1, 2, 3]}', /train.augment.gain_db must be .*got \[1,2,3\]/],
    ['train.augment={gain_db: [-60, 0]}', /train.augment.gain_db must be a list \[low, high\] of two gains in dB, each in \[-40, 40\]/],
    ['train.augment={mix: 0.8}', /train.augment.mix must be a number in \[0, 0.5\]/],
    ['train.augment={pitch_semitones: -1}', /train.augment.pitch_semitones must be a number of semitones in \[0, 12\]/],
    ['train.augment={gainn: [0, 1]}', /unknown key train.augment.gainn \(known keys in train.augment: gain_db, polarity, shift_ms, pitch_semitones, mix\)/],
    ['train.augment=3', /train.augment must be a mapping with keys gain_db, polarity/],
    ['train.init_from=""', /train.init_from must be a non-empty string/],
  ])('%s is refused with a message naming the key', (set, message) => {
    expect(() => resolve(obj, [set])).toThrow(message);
  });
});

describe('training with augmentation', () => {
  function setup() {
    const root = tempDir();
    return { root, data: writeTestDataset(path.join(root, 'data'), decayingSines(24, LENGTH)) };
  }
  const losses = (runDir: string) => readLog(runDir).map((r) => [r.epoch, r.step, r.loss, r.val_loss]);
  const ALL = { gain_db: [-6, 6], polarity: true, shift_ms: 1, pitch_semitones: 2, mix: 0.3 };

  test('off (absent, null or every part off) gives exactly the losses of sampgen before augmentation existed', async () => {
    // Recorded with the code of commit eee0d29, before train.augment existed, from the same config.
    const before = [
      [0.026829690982898075, 0.01972394436597824],
      [0.020383821489910286, 0.01714305765926838],
    ];
    for (const augment of [undefined, null, { polarity: false, mix: 0 }]) {
      const { root, data } = setup();
      const train = augment === undefined ? {} : { augment };
      const result = await trainModel({ loaded: resolve(baseObject(root, data, train)), export: false });
      expect(readLog(result.runDir).map((r) => [r.loss, r.val_loss])).toEqual(before);
    }
  });

  test('on: the same seed repeats the run exactly, and the losses differ from a run without it', async () => {
    const a = setup();
    const b = setup();
    const c = setup();
    const lines: string[] = [];
    const progress: Progress = { ...silentProgress, log: (m) => lines.push(m) };
    const ra = await trainModel({ loaded: resolve(baseObject(a.root, a.data, { augment: ALL })), export: false, progress });
    const rb = await trainModel({ loaded: resolve(baseObject(b.root, b.data, { augment: ALL })), export: false });
    const rc = await trainModel({ loaded: resolve(baseObject(c.root, c.data)), export: false });
    expect(losses(rb.runDir)).toEqual(losses(ra.runDir));
    expect(losses(rc.runDir).map((r) => r[2])).not.toEqual(losses(ra.runDir).map((r) => r[2]));
    expect(lines.join('\n')).toMatch(
      /augmenting training batches \(validation batches are not\): gain -6…6 dB, polarity flip \(p = 0.5\), shift ±1 ms \(±8 samples\), pitch ±2 semitones \(15 steps, attack kept at sample 16\), mix with a batch partner/,
    );
  });

  test('on: a run stopped mid-epoch and resumed equals an uninterrupted one', async () => {
    const whole = setup();
    const train = { epochs: 3, augment: ALL };
    const full = await trainModel({ loaded: resolve(baseObject(whole.root, whole.data, train)), export: false });
    const parts = setup();
    const stop = newStopFlag();
    let updates = 0;
    const stopper: Progress = { ...silentProgress, update: () => void (++updates === 6 && (stop.requested = true)) };
    const first = await trainModel({ loaded: resolve(baseObject(parts.root, parts.data, train)), progress: stopper, stop, export: false });
    expect(first.status).toBe('interrupted');
    expect(readCheckpointState(first.runDir)!.batchInEpoch).toBeGreaterThan(0);
    const second = await trainModel({ loaded: resolve(baseObject(parts.root, parts.data, train)), resume: true, export: false });
    expect(second.status).toBe('completed');
    expect(losses(second.runDir)).toEqual(losses(full.runDir));
  });

  test('validation batches are not augmented: val_loss is the loss on the rows as they are', async () => {
    const { root, data } = setup();
    // A fixed +12 dB: validation rows at 4× their level would give a loss far from the plain one.
    const loaded = resolve(baseObject(root, data, { augment: { gain_db: [12, 12] } }));
    const plainVal: number[] = [];
    const hook = ({ trainer, dataset, record }: EpochContext) => {
      const { config } = loaded;
      const split = trainingSplit(dataset.count, config.data.validation, config.train.seed);
      const x = tf.tensor2d(dataset.readRows(split.validation), [split.validation.length, dataset.length]);
      try {
        // One validation batch (6 rows <= batch_size), seeded as the loop seeds it.
        plainVal.push(trainer.evaluate(x, { step: record.step, seed: deriveSeed(config.train.seed, SeedStream.validation, 0) }).loss!);
      } finally {
        x.dispose();
      }
    };
    const result = await trainModel({ loaded, export: false, onEpoch: [hook] });
    const log = readLog(result.runDir);
    expect(plainVal).toHaveLength(2);
    log.forEach((r, i) => expect(r.val_loss).toBeCloseTo(plainVal[i]!, 10));
    // And the training batches were augmented: the training loss is on rows 4× as loud.
    expect(log[0]!.loss).toBeGreaterThan(4 * log[0]!.val_loss!);
  });
});
