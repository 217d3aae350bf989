import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { trainModel } from '../../src/train/run';
import { decodePoints, encodeRows, openModel, parsePoint, parseGrid, gridPoints, randomPoints, linePoints, OpenedModel } from '../../src/infer/model';
import { generate } from '../../src/infer/generate';
import { interpolate } from '../../src/infer/interpolate';
import { preprocessForModel } from '../../src/infer/encode';
import { latentMap, pca2 } from '../../src/infer/latent-map';
import { evaluateModel } from '../../src/infer/evaluate';
import { decayTime, spectralCentroid } from '../../src/infer/features';
import { openDataset } from '../../src/data';
import { decodeAudio, encodeWav } from '../../src/audio';
import { Rng } from '../../src/util/rng';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';
import { parsePngHeader } from '../eval/plot/png-helpers';
import { userErrorOf } from '../helpers/errors';

const LENGTH = 64;
const RATE = 8000;
let root: string;
let dataDir: string;
let modelDir: string;
let model: OpenedModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = tempDir();
  dataDir = writeTestDataset(path.join(root, 'data'), decayingSines(40, LENGTH), RATE);
  const loaded = resolveConfigObject(
    {
      name: 'tiny',
      model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
      data: { path: dataDir, validation: 0.25 },
      train: { epochs: 3, batch_size: 8, lr: 0.01, backend: 'cpu' },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test',
  );
  modelDir = (await trainModel({ loaded })).modelDir!;
  model = await openModel(modelDir, { encoder: true });
});


describe('latent points', () => {
  test('a point with the wrong number of coordinates is a user error naming the latent size', async () => {
    const err = await userErrorOf(() => parsePoint('0.1,0.2,0.3', model.meta));
    expect(err.message).toMatch(/3 coordinate\(s\).*2-D latent space/);
    await userErrorOf(() => parsePoint('0.1,abc', model.meta));
  });

  test('a point outside the bounds warns, and is clamped only when asked', () => {
    const { max } = model.meta.latent_bounds;
    const warnings: string[] = [];
    const far = `${max[0]! + 5},0`;
    expect(parsePoint(far, model.meta, { warn: (m) => warnings.push(m) })[0]).toBe(max[0]! + 5);
    expect(warnings[0]).toMatch(/outside.*--clamp/);
    expect(parsePoint(far, model.meta, { clamp: true, warn: (m) => warnings.push(m) })[0]).toBe(max[0]);
  });

  test('grids cover the bounds corner to corner, top row at the largest z₂', () => {
    const { min, max } = model.meta.latent_bounds;
    const g = gridPoints(model.meta, 3, 4);
    expect(g).toHaveLength(12);
    expect(g[0]!.point).toEqual([min[0], max[1]]);
    expect(g[11]!.point).toEqual([max[0], min[1]]);
    expect(parseGrid('8x6')).toEqual([8, 6]);
    expect(() => parseGrid('8 by 6')).toThrow(/ROWSxCOLS/);
  });

  test('random points are reproducible for a seed and lie in the bounds of an autoencoder', () => {
    const a = randomPoints(model.meta, 20, new Rng(5));
    expect(randomPoints(model.meta, 20, new Rng(5))).toEqual(a);
    const { min, max } = model.meta.latent_bounds;
    for (const p of a) p.forEach((v, i) => expect(v >= min[i]! && v <= max[i]!).toBe(true));
  });

  test('a line includes both ends, evenly spaced', () => {
    expect(linePoints([0, 0], [1, -2], 3)).toEqual([[0, 0], [0.5, -1], [1, -2]]);
  });
});

describe('generate', () => {
  test('--z writes a WAV at the model rate whose samples are the decoder output', async () => {
    const out = path.join(root, 'one.wav');
    await generate({ model, z: '0.1,-0.2', out, format: 'float32' });
    const wav = await decodeAudio(fs.readFileSync(out));
    expect(wav.sampleRate).toBe(RATE);
    const expected = decodePoints(model, [[0.1, -0.2]])[0]!;
    expect(Array.from(wav.channels[0]!)).toEqual(Array.from(expected));
    await userErrorOf(() => generate({ model, z: '0.1,-0.2', out, format: 'float32' })); // exists, no --force
  });

  test('--grid writes one WAV per point, points.json and a contact sheet PNG', async () => {
    const out = path.join(root, 'grid');
    const s = await generate({ model, grid: '2x3', out, format: 'pcm16' });
    expect(s.files).toHaveLength(6);
    for (const f of s.files) expect(fs.existsSync(f.file)).toBe(true);
    const png = fs.readFileSync(s.contact_sheet!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'points.json'), 'utf8')).files).toHaveLength(6);
    await userErrorOf(() => generate({ model, grid: '2x3', out, format: 'pcm16' })); // not empty, no --force
  });

  test('with plots, a waveform and a spectrogram PNG lie beside each WAV and are listed', async () => {
    const one = path.join(root, 'plotted.wav');
    const s1 = await generate({ model, z: '0,0', out: one, format: 'float32', plots: true });
    expect(s1.files[0]!.plots).toEqual([path.join(root, 'plotted.waveform.png'), path.join(root, 'plotted.spectrogram.png')]);
    const out = path.join(root, 'plotted-random');
    const s2 = await generate({ model, random: 2, out, format: 'float32', plots: true });
    for (const f of [...s1.files, ...s2.files]) {
      for (const png of f.plots!) {
        const header = parsePngHeader(fs.readFileSync(png));
        expect(header.width).toBeGreaterThan(100);
      }
    }
    const listed = JSON.parse(fs.readFileSync(path.join(out, 'points.json'), 'utf8')).files[1].plots;
    expect(listed).toEqual(['random-1.waveform.png', 'random-1.spectrogram.png']);
    // without plots, none
    const plain = await generate({ model, random: 1, out: path.join(root, 'unplotted'), format: 'float32' });
    expect(plain.files[0]!.plots).toBeUndefined();
    expect(fs.readdirSync(path.join(root, 'unplotted')).filter((f) => f.endsWith('.png'))).toEqual([]);
  });

  test('exactly one of --z, --random, --grid', async () => {
    await userErrorOf(() => generate({ model, z: '0,0', random: 3, out: path.join(root, 'x'), format: 'float32' }));
  });
});

describe('encode', () => {
  test('a file is preprocessed with the dataset parameters: peak at the attack index, the model length, then encoded', async () => {
    const row = decayingSines(40, LENGTH)[3]!;
    // The file holds the row with extra silence before the peak and after the end: peak alignment and
    // trimming must undo both, as preprocessing did for the dataset.
    const pad = 5;
    const file = path.join(root, 'sample.wav');
    const padded = new Float32Array(LENGTH + 2 * pad + 30);
    padded.set(row, pad);
    const info = openDataset(dataDir);
    const attack = info.info.attack;
    info.close();
    fs.writeFileSync(file, encodeWav(padded, RATE, 'float32'));
    const pre = await preprocessForModel(file, model.meta);
    expect(pre.length).toBe(LENGTH);
    let peak = 0;
    pre.forEach((v, i) => {
      if (Math.abs(v) > Math.abs(pre[peak]!)) peak = i;
    });
    expect(peak).toBe(attack);
    const z = encodeRows(model, [pre])[0]!;
    expect(z).toHaveLength(2);
  });

  test('an unreadable sample is a user error naming the file', async () => {
    const bad = path.join(root, 'bad.wav');
    fs.writeFileSync(bad, 'not audio at all');
    const err = await userErrorOf(() => preprocessForModel(bad, model.meta));
    expect(err.message).toContain(bad);
  });
});

describe('latent map and evaluate', () => {
  test('the map has one point per dataset row, equal to the encoder output', () => {
    const dataset = openDataset(dataDir);
    try {
      const map = latentMap({ model, dataset, datasetPath: dataDir, color: 'decay' });
      expect(map.points).toHaveLength(40);
      expect(map.projection).toBeNull();
      const direct = encodeRows(model, [dataset.readRows([7])]);
      expect(map.points[7]![0]).toBeCloseTo(direct[0]![0]!, 6);
      expect(Buffer.from(map.png).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      dataset.close();
    }
  });

  test('a dataset of another length or rate is refused, naming both', async () => {
    const other = writeTestDataset(path.join(root, 'other'), decayingSines(4, LENGTH * 2), RATE);
    const dataset = openDataset(other);
    try {
      const err = await userErrorOf(() => latentMap({ model, dataset, datasetPath: other, color: 'none' }));
      expect(err.message).toMatch(new RegExp(`${LENGTH * 2} samples at ${RATE} Hz.*${LENGTH} samples at ${RATE} Hz`));
    } finally {
      dataset.close();
    }
  });

  test('evaluate reports reconstruction, smoothness and generation metrics as finite numbers', () => {
    const dataset = openDataset(dataDir);
    try {
      const e = evaluateModel({ model, dataset, datasetPath: dataDir, split: 'validation', maxSamples: 50, generated: 12, grid: 4, seed: 1 });
      expect(e.count).toBe(10);
      for (const key of ['recon_mse', 'recon_mr_stft', 'recon_lsd_db', 'smoothness', 'gen_frechet', 'gen_ndb']) {
        expect(Number.isFinite(e.metrics[key])).toBe(true);
      }
      expect(e.metrics.recon_mse).toBeGreaterThan(0);
      // where the largest jump of the 4×4 grid lies: two neighbouring grid cells
      const [r1, c1, r2, c2] = ['row', 'col', 'row2', 'col2'].map((k) => e.metrics[`smoothness_max_jump_${k}`]!);
      for (const v of [r1, c1, r2, c2]) expect(Number.isInteger(v) && v >= 0 && v < 4).toBe(true);
      expect(Math.abs(r2! - r1!) + Math.abs(c2! - c1!)).toBe(1);
      expect(e.metrics.smoothness_max_jump).toBeGreaterThan(0);
      // the grid decodes are scored as generated samples too
      expect(e.metrics.gen_grid_count_generated).toBe(16);
      expect(Number.isFinite(e.metrics.gen_grid_frechet)).toBe(true);
    } finally {
      dataset.close();
    }
  });
});

describe('interpolate', () => {
  test('decodes the straight line between the two files\' latent points, ends included, with a contact sheet', async () => {
    const rows = decayingSines(40, LENGTH);
    const [fa, fb] = ['a.wav', 'b.wav'].map((n) => path.join(root, n));
    fs.writeFileSync(fa!, encodeWav(rows[2]!, RATE, 'float32'));
    fs.writeFileSync(fb!, encodeWav(rows[30]!, RATE, 'float32'));
    const out = path.join(root, 'line');
    const s = await interpolate({ model, a: fa!, b: fb!, steps: 5, out, format: 'float32' });
    const [za, zb] = encodeRows(model, [await preprocessForModel(fa!, model.meta), await preprocessForModel(fb!, model.meta)]);
    expect(s.files.map((f) => path.basename(f.file))).toEqual(['step-0.wav', 'step-1.wav', 'step-2.wav', 'step-3.wav', 'step-4.wav']);
    expect(s.files[0]!.z).toEqual(za);
    expect(s.files[4]!.z).toEqual(zb);
    for (let d = 0; d < 2; d++) expect(s.files[2]!.z[d]).toBeCloseTo((za![d]! + zb![d]!) / 2, 6);
    const mid = await decodeAudio(fs.readFileSync(s.files[2]!.file));
    expect(Array.from(mid.channels[0]!)).toEqual(Array.from(decodePoints(model, [s.files[2]!.z])[0]!));
    expect(fs.readFileSync(s.contact_sheet).subarray(1, 4).toString()).toBe('PNG');
    await userErrorOf(() => interpolate({ model, a: fa!, b: fb!, steps: 5, out, format: 'float32' })); // exists, no --force
  });
});

describe('the command line', () => {
  // These run the built CLI (bin/sampgen → dist/), as a user would; `npm test` builds first.
  const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60000 });

  test('generate: --random beyond the cap exits 2 naming it; a bare --normalize peak-normalises a pcm16 grid over --bounds', () => {
    const big = run(['generate', '-m', modelDir, '--random', '1e9', '-o', path.join(root, 'cli-many'), '--backend', 'cpu']);
    expect(big.status).toBe(2);
    expect(big.stderr).toContain('--random 1000000000: at most 10000 samples per call');
    const out = path.join(root, 'cli-grid');
    const ok = run(['--json', 'generate', '-m', modelDir, '--grid', '2x2', '--normalize', '--format', 'pcm16', '--bounds', 'minmax', '-o', out, '--backend', 'cpu']);
    expect(ok.status).toBe(0);
    const summary = JSON.parse(ok.stdout);
    expect(summary.bounds.bounds).toBe('minmax');
    expect(summary.clipped.samples).toBe(0);
    expect(summary.files[0].z).toEqual([model.meta.latent_bounds.min[0], model.meta.latent_bounds.max[1]]);
  });

  test('evaluate prints which rows, a count per metric and warnings for small sets; --split with --held-out exits 2', () => {
    const out = path.join(root, 'cli-eval');
    const r = run(['evaluate', '-m', modelDir, '-d', dataDir, '--generated', '16', '--grid', '3', '--resamples', '10', '-o', out, '--backend', 'cpu']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^tiny: validation split of .*data: 10 rows of 40$/m);
    expect(r.stdout).toMatch(/^\| metric \| n_real \| n_generated \| tiny \|$/m);
    expect(r.stdout).toMatch(/^\| gen_frechet \| 10 \| 16 \| \S+ \[\S+, \S+\] \|$/m);
    expect(r.stderr).toMatch(/^warning: tiny: gen_frechet: rests on 10 real and 16 generated samples/m);
    const md = fs.readFileSync(path.join(out, 'metrics.md'), 'utf8');
    expect(md).toContain('## Warnings');
    const json = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    expect(json.models[0].counts.gen_frechet).toEqual({ n_real: 10, n_generated: 16 });
    const both = run(['evaluate', '-m', modelDir, '--held-out', dataDir, '--split', 'train']);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('a --held-out dataset is used whole, never split');
  });
});

describe('features', () => {
  test('the spectral centroid of a sine is its frequency', () => {
    const f = 1000;
    const x = Float32Array.from({ length: 8192 }, (_, i) => Math.sin((2 * Math.PI * f * i) / 16000));
    expect(spectralCentroid(x, 16000)).toBeGreaterThan(0.97 * f);
    expect(spectralCentroid(x, 16000)).toBeLessThan(1.03 * f);
  });

  test('the decay time of an exponential decay is τ·ln(100) to −40 dB', () => {
    const rate = 16000;
    const tau = 0.05;
    const x = Float32Array.from({ length: rate }, (_, i) => Math.exp(-i / rate / tau) * (i % 2 ? 1 : -1));
    expect(decayTime(x, rate)).toBeCloseTo(tau * Math.log(100), 1);
    expect(Math.abs(decayTime(x, rate) - tau * Math.log(100))).toBeLessThan(0.01);
  });

  test('PCA of points on a line puts all variance on the first direction', () => {
    const pts = Array.from({ length: 50 }, (_, i) => [i, 2 * i, -i]);
    const { explained, projected } = pca2(pts);
    expect(explained[0]).toBeCloseTo(1, 6);
    expect(Math.abs(projected[49]![0]! - projected[0]![0]!)).toBeCloseTo(49 * Math.sqrt(6), 3);
  });
});
