/** Labelled datasets (issue 13, first steps): classes and source levels in dataset.json, and `sampgen dataset info`. */
import * as fs from 'fs';
import * as path from 'path';
import { encodeWav } from '../../src/audio';
import { readDatasetInfo } from '../../src/data';
import { summarizeDataset } from '../../src/data/summary';
import { preprocessDataset } from '../../src/preprocess';
import { silentProgress } from '../../src/progress';
import { sourceLevels } from '../../src/preprocess/pipeline';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/dataset';

const RATE = 8000;

/** A decaying hit at `amplitude` (its first sample is its peak) and a steady tone: levels with closed forms. */
function tone(amplitude: number, seconds = 0.2): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * RATE) }, (_, n) => amplitude * Math.cos((2 * Math.PI * 400 * n) / RATE));
}

test('source levels: the peak in dBFS, and the RMS of the attack window (a steady tone: amplitude/√2)', () => {
  const x = tone(0.5);
  const levels = sourceLevels(x, 0, RATE);
  expect(levels.peakDbfs).toBeCloseTo(20 * Math.log10(0.5), 2); // −6.02
  // From the peak (index 0: the 5 ms before it are cut) to 45 ms after: 18 whole periods of 400 Hz at 8 kHz.
  expect(levels.attackRmsDbfs).toBeCloseTo(20 * Math.log10(0.5 / Math.SQRT2), 1); // −9.03
});

test('preprocess records each row\'s class (folders, else names) and level; dataset info counts them', async () => {
  const root = tempDir();
  const input = path.join(root, 'in');
  const write = (rel: string, amplitude: number) => {
    fs.mkdirSync(path.dirname(path.join(input, rel)), { recursive: true });
    fs.writeFileSync(path.join(input, rel), encodeWav(tone(amplitude), RATE, 'float32'));
  };
  write('kick/001.wav', 0.9);
  write('kick/002.wav', 0.45);
  write('loose/Snare-Hard.wav', 0.7);
  write('loose/808_Hat_Open.wav', 0.3);
  write('loose/take7.wav', 0.2);
  const output = path.join(root, 'ds');
  await preprocessDataset({
    inputs: [input], output, sampleRate: RATE, channel: 'first', attack: { seconds: 0.01 },
    length: { seconds: 0.1 }, recursive: true, jobs: 1, force: false, progress: silentProgress,
  });
  const info = readDatasetInfo(output);
  expect(info.version).toBe(2);
  expect(info.labels).toEqual({ source: 'auto' });
  expect(info.files.map((f) => [f.path, f.class])).toEqual([
    ['kick/001.wav', 'kick'],
    ['kick/002.wav', 'kick'],
    ['loose/808_Hat_Open.wav', 'hat-open'],
    ['loose/Snare-Hard.wav', 'snare'],
    ['loose/take7.wav', 'unknown'],
  ]);
  expect(info.files.map((f) => f.peak_dbfs)).toEqual([0.9, 0.45, 0.3, 0.7, 0.2].map((a) => expect.closeTo(20 * Math.log10(a), 1)));
  const summary = summarizeDataset(info);
  expect(summary.classes).toMatchObject({ kick: 2, snare: 1, 'hat-open': 1, unknown: 1, tom: 0 });
  expect(summary.levels!.peak_dbfs).toMatchObject({ n: 5, max: expect.closeTo(20 * Math.log10(0.9), 1) });

  const cli = await runCli(['dataset', 'info', output]);
  expect(cli.code).toBe(0);
  expect(cli.out).toMatch(/5 rows of 800 samples .* at 8000 Hz/);
  expect(cli.out).toMatch(/^  kick +2 +peak /m);
  const missing = await runCli(['dataset', 'info', path.join(root, 'nope')]);
  expect(missing.code).toBe(2);
  expect(missing.err).toMatch(/nope does not exist/);
});

test('--label-rules: a user\'s rules come before the built-in table, are recorded in dataset.json, and bad files are named', async () => {
  const root = tempDir();
  const input = path.join(root, 'in');
  fs.mkdirSync(input, { recursive: true });
  for (const name of ['Boom-01.wav', 'Shaker-Soft.wav', 'Kick-Hard.wav', 'take7.wav']) fs.writeFileSync(path.join(input, name), encodeWav(tone(0.5), RATE, 'float32'));
  const rules = path.join(root, 'rules.yaml');
  fs.writeFileSync(rules, '- {class: kick, words: [boom]}\n- {class: perc, words: [shaker]}\n');
  const output = path.join(root, 'ds');
  const run = await runCli(['--quiet', 'preprocess', input, output, '--sample-rate', String(RATE), '--attack', '0.01', '--length', '0.1', '--label-rules', rules]);
  expect(run.err).toBe('');
  const info = readDatasetInfo(output);
  expect(info.files.map((f) => [f.path, f.class])).toEqual([
    ['Boom-01.wav', 'kick'],
    ['Kick-Hard.wav', 'kick'],
    ['Shaker-Soft.wav', 'perc'],
    ['take7.wav', 'unknown'],
  ]);
  expect(info.labels).toEqual({ source: 'auto', rules: [{ label: 'kick', words: ['boom'] }, { label: 'perc', words: ['shaker'] }] });

  const bad = async (text: string) => {
    fs.writeFileSync(rules, text);
    const r = await runCli(['--quiet', 'preprocess', input, path.join(root, 'x'), '--label-rules', rules]);
    expect(r.code).toBe(2);
    return r.err;
  };
  expect(await bad('- {class: cowbell, words: [bell]}\n')).toMatch(/rules.yaml: rule 1: class "cowbell" is not one of kick, snare/);
  expect(await bad('- {class: kick, words: [Boom]}\n')).toMatch(/rule 1: words must be a non-empty list of lower-case words/);
  expect(await bad('- {class: kick, word: [boom]}\n')).toMatch(/rule 1: unknown key\(s\) word/);
  expect(await bad('class: kick\n')).toMatch(/expected a non-empty list of rules/);
});
