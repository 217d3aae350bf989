import * as fs from 'fs';
import * as path from 'path';
import { sampleFileName } from '../../src/audition/page/filename';
import { choiceLabel, conditionOfDroppedFile, describeChoice, initialChoice, requestOf, vectorOf } from '../../src/audition/page/conditioning';
import type { ModelMetadata } from '../../src/export';
import { conditionOfFile, requestLabel } from '../../src/infer/condition';
import { ConditionLayout } from '../../src/models/condition';
import { tempDir } from '../helpers/dataset';

/**
 * The page's condition controls ask what `sampgen generate --class/--mix/--velocity` and `sampgen encode` would:
 * the same vector, the same file label, a dropped file's class from its name and velocity from its level.
 */

const LAYOUT: ConditionLayout = {
  classes: ['kick', 'snare', 'hat-closed'],
  class_counts: [10, 30, 20],
  velocity: { feature: 'attack_rms_dbfs', min_dbfs: -30, max_dbfs: -6 },
};

describe('the page’s condition choice', () => {
  test('starts at the most common class, blending into the next, at velocity 0.5 (the CLI defaults)', () => {
    const c = initialChoice(LAYOUT);
    expect(c).toEqual({ classA: 'snare', classB: 'hat-closed', blend: 0, velocity: 0.5 });
    expect(Array.from(vectorOf(LAYOUT, c))).toEqual([0, 1, 0, 0.5]);
    expect(describeChoice(LAYOUT, c)).toBe('snare · velocity 0.50 (−18.0 dBFS)');
  });

  test('the mixer weighs the two classes 1 − t and t; the velocity slider is the last number', () => {
    const c = { classA: 'kick', classB: 'hat-closed', blend: 0.25, velocity: 0.8 };
    expect(requestOf(LAYOUT, c)).toEqual({ mix: { kick: 0.75, 'hat-closed': 0.25 }, velocity: 0.8 });
    const v = Array.from(vectorOf(LAYOUT, c));
    [0.75, 0, 0.25, 0.8].forEach((x, i) => expect(v[i]).toBeCloseTo(x, 6));
    expect(describeChoice(LAYOUT, c)).toBe('kick 0.75 + hat-closed 0.25 · velocity 0.80 (−10.8 dBFS)');
    // The ends of the mixer, and a class blended into itself, are one class.
    expect(requestOf(LAYOUT, { ...c, blend: 1 }).mix).toEqual({ 'hat-closed': 1 });
    expect(requestOf(LAYOUT, { ...c, classB: 'kick' }).mix).toEqual({ kick: 1 });
  });

  test('only the parts a model has: classes alone, velocity alone', () => {
    const classesOnly: ConditionLayout = { ...LAYOUT, velocity: null };
    expect(Array.from(vectorOf(classesOnly, initialChoice(classesOnly)))).toEqual([0, 1, 0]);
    const velocityOnly: ConditionLayout = { classes: null, class_counts: null, velocity: LAYOUT.velocity };
    const c = initialChoice(velocityOnly);
    expect(c.classA).toBeNull();
    expect(Array.from(vectorOf(velocityOnly, { ...c, velocity: 0.2 }))).toEqual([Math.fround(0.2)]);
  });

  test('saved files are labelled as sampgen generate labels the same request', () => {
    for (const c of [
      { classA: 'snare', classB: 'kick', blend: 0, velocity: 0.8 },
      { classA: 'kick', classB: 'snare', blend: 0.3, velocity: 0.5 },
      { classA: 'kick', classB: 'snare', blend: 1, velocity: 0.123 },
    ]) {
      expect(choiceLabel(LAYOUT, c)).toBe(requestLabel(LAYOUT, requestOf(LAYOUT, c)));
    }
    expect(choiceLabel(LAYOUT, { classA: 'kick', classB: 'snare', blend: 0.3, velocity: 0.5 })).toBe('kick0.70+snare0.30-v0.50');
    expect(sampleFileName('drums', [0.3, -0.5], 'snare-v0.80')).toBe('drums_snare-v0.80_z0.300_-0.500.wav');
    expect(sampleFileName('drums', [0.3, -0.5], 'kick0.70+snare0.30-v0.50')).toBe('drums_kick0.70-snare0.30-v0.50_z0.300_-0.500.wav');
  });

  test('a dropped file: class from its name and velocity from its level, as sampgen encode gives them', () => {
    const meta = { name: 'drums', model_type: 'vae', condition: LAYOUT } as unknown as ModelMetadata;
    const current = { classA: 'snare', classB: 'kick', blend: 0.4, velocity: 0.5 };
    const levels = { peakDbfs: -6, attackRmsDbfs: -12 };
    const dir = tempDir('sampgen-cond-page-');
    try {
      const file = path.join(dir, 'Kick-Hard_02.wav');
      fs.writeFileSync(file, '');
      const dropped = conditionOfDroppedFile(LAYOUT, current, 'Kick-Hard_02.wav', levels.attackRmsDbfs);
      expect(dropped.classFrom).toBe('name');
      expect(dropped.choice).toEqual({ classA: 'kick', classB: 'kick', blend: 0, velocity: 0.75 });
      expect(requestOf(LAYOUT, dropped.choice)).toEqual(conditionOfFile(meta, file, levels));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a name that says no class, or one the model lacks, takes the selected class and says which it named', () => {
    const current = { classA: 'hat-closed', classB: 'kick', blend: 0.5, velocity: 0.1 };
    const plain = conditionOfDroppedFile(LAYOUT, current, 'take-7.wav', -30);
    expect(plain).toEqual({ choice: { classA: 'hat-closed', classB: 'kick', blend: 0, velocity: 0 }, classFrom: 'selection', unknownClass: null });
    const clap = conditionOfDroppedFile(LAYOUT, current, 'Clap 01.wav', -6);
    expect(clap.classFrom).toBe('selection');
    expect(clap.unknownClass).toBe('clap');
    expect(clap.choice.velocity).toBe(1);
    expect(() => conditionOfDroppedFile(LAYOUT, current, 'Kick.wav', null)).toThrow(/no level/);
  });
});
