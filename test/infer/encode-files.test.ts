/**
 * `sampgen encode` over several files: a bad one (missing, not audio, a folder, a FIFO that used to block forever) is
 * reported in its place, the others are still encoded, and the exit code says that not all of them were.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { trainModel } from '../../src/train/run';
import { preprocessForModel } from '../../src/infer/encode';
import { encodeWav } from '../../src/audio';
import { isUserError } from '../../src/errors';
import type { ModelMetadata } from '../../src/export';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');
const LENGTH = 64;
const RATE = 8000;
const canMakeFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--help']).status === 0;

let root: string;
let modelDir: string;
let good: string[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = tempDir();
  const dataDir = writeTestDataset(path.join(root, 'data'), decayingSines(16, LENGTH), RATE);
  const loaded = resolveConfigObject(
    {
      name: 'tiny',
      model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
      data: { path: dataDir, validation: 0.25 },
      train: { epochs: 1, batch_size: 8, lr: 0.01, backend: 'cpu' },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test',
  );
  modelDir = (await trainModel({ loaded })).modelDir!;
  good = decayingSines(2, 400, 7).map((x, i) => {
    const file = path.join(root, `hit-${i}.wav`);
    fs.writeFileSync(file, encodeWav(x, RATE, 'float32'));
    return file;
  });
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

(canMakeFifo ? test : test.skip)('a FIFO is refused by its kind, before anything opens it (reading would block forever)', async () => {
  const fifo = path.join(root, 'pipe.wav');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  // The check comes before the model's parameters are looked at.
  const err = await preprocessForModel(fifo, {} as ModelMetadata).catch((e: unknown) => e);
  expect(isUserError(err)).toBe(true);
  expect((err as Error).message).toBe(`${fifo}: is a FIFO (named pipe), not a regular file`);
  fs.rmSync(fifo);
});

test('bad files are reported in their place, the good ones still encoded, then exit 2', () => {
  const missing = path.join(root, 'missing.wav');
  const notAudio = path.join(root, 'notes.wav');
  fs.writeFileSync(notAudio, 'not audio at all');
  const files = [good[0]!, missing, notAudio, root, good[1]!];
  const r = spawnSync(process.execPath, [BIN, '--quiet', 'encode', '-m', modelDir, '--backend', 'cpu', ...files], { encoding: 'utf8', timeout: 60000 });
  expect(r.status).toBe(2);
  const lines = r.stdout.trim().split('\n');
  expect(lines.map((l) => l.split('\t')[0])).toEqual([good[0], good[1]]);
  for (const l of lines) expect(l.split('\t')[1]).toMatch(/^-?\d+\.\d{5},-?\d+\.\d{5}$/);
  const errors = r.stderr.trim().split('\n');
  expect(errors).toEqual([
    expect.stringMatching(new RegExp(`^sampgen: ${escape(missing)}: cannot read file: no such file`)),
    expect.stringMatching(new RegExp(`^sampgen: ${escape(notAudio)}: `)),
    `sampgen: ${root}: is a folder, not an audio file`,
    'sampgen: 3 of 5 files could not be encoded (see above)',
  ]);

  // --json: one entry per file, in order, with z or error.
  const json = spawnSync(process.execPath, [BIN, '--quiet', '--json', 'encode', '-m', modelDir, '--backend', 'cpu', good[0]!, missing], { encoding: 'utf8', timeout: 60000 });
  expect(json.status).toBe(2);
  const entries = JSON.parse(json.stdout) as { file: string; z?: number[]; error?: string }[];
  expect(entries.map((e) => [e.file, Array.isArray(e.z), typeof e.error])).toEqual([
    [good[0], true, 'undefined'],
    [missing, false, 'string'],
  ]);
  // The good file's point is the same whether or not a bad file came along.
  expect(entries[0]!.z!.map((v) => v.toFixed(5)).join(',')).toBe(lines[0]!.split('\t')[1]);
});

test('the backend is one line on stderr, and none with --quiet (nor the TF.js cpu backend advert)', () => {
  const args = ['encode', '-m', modelDir, '--backend', 'auto', good[0]!];
  const loud = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60000 });
  expect(loud.status).toBe(0);
  expect(loud.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^backend: using \S+ \(/)]);
  // The cpu backend is the one that advertises tfjs-node on its first tensor.
  const quiet = spawnSync(process.execPath, [BIN, '--quiet', 'encode', '-m', modelDir, '--backend', 'cpu', good[0]!], { encoding: 'utf8', timeout: 60000 });
  expect(quiet.status).toBe(0);
  expect(quiet.stderr).toBe('');
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
