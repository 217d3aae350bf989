/**
 * Conditional VAEs end to end (issue 13): a labelled dataset whose class decides the pitch and whose level decides the
 * loudness trains a model that generates the asked class at the asked velocity, exports a stock two-input decoder, and
 * encodes files with their own class and level.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { encodeWav, readAudioFile } from '../../src/audio';
import { readModelMetadata } from '../../src/export';
import { runCli } from '../helpers/cli';
import { tempDir, writeTestDataset, CLASS_PITCH, pitchedClassRows } from '../helpers/dataset';

const LENGTH = 64;
const SAMPLE_RATE = 8000;
const PITCH = CLASS_PITCH;


/** The frequency (cycles per sample) where a signal's DFT magnitude peaks. */
function peakFrequency(x: Float32Array): number {
  let best = 0;
  let bestMagnitude = -1;
  for (let k = 1; k < x.length / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < x.length; t++) {
      re += x[t]! * Math.cos((2 * Math.PI * k * t) / x.length);
      im -= x[t]! * Math.sin((2 * Math.PI * k * t) / x.length);
    }
    const m = Math.hypot(re, im);
    if (m > bestMagnitude) [best, bestMagnitude] = [k, m];
  }
  return best / x.length;
}

const peak = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

async function readSamples(file: string): Promise<Float32Array> {
  return (await readAudioFile(file)).channels[0]!;
}

describe('a conditional VAE through the CLI', () => {
  let root: string;
  let modelDir: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = tempDir('sampgen-cvae-');
    const { rows, labels } = pitchedClassRows(60, LENGTH);
    writeTestDataset(path.join(root, 'ds'), rows, SAMPLE_RATE, labels);
    fs.writeFileSync(
      path.join(root, 'cvae.yaml'),
      [
        'model: {type: vae, latent: 2, length: 64, encoder_units: [32], decoder_units: [32], condition: {class: true, velocity: true}}',
        `data: {path: ${JSON.stringify(path.join(root, 'ds'))}, validation: 0.1}`,
        'train: {epochs: 150, batch_size: 16, lr: 0.01, backend: cpu, checkpoint_every: 1000}',
        'vae: {kl_factor: 0.02, kl_ramp_steps: 100}',
        `output: {runs: ${JSON.stringify(path.join(root, 'runs'))}, models: ${JSON.stringify(path.join(root, 'models'))}, tensorboard: false}`,
      ].join('\n'),
    );
    const trained = await runCli(['--quiet', 'train', '--config', path.join(root, 'cvae.yaml')]);
    expect(trained.err).toBe('');
    expect(trained.code).toBe(0);
    modelDir = path.join(root, 'models', 'cvae');
  }, 120_000);

  test('sampgen.json lists the classes and the level range; the decoder is a stock model with inputs latent and condition', async () => {
    const meta = readModelMetadata(modelDir);
    expect(meta.version).toBe(2);
    expect(meta.condition!.classes).toEqual(['kick', 'snare', 'hat-closed']);
    expect(meta.condition!.class_counts).toEqual([20, 20, 20]);
    expect(meta.condition!.velocity!.min_dbfs).toBeCloseTo(20 * Math.log10(0.1 / Math.SQRT2), 1);
    expect(meta.condition!.velocity!.max_dbfs).toBeCloseTo(20 * Math.log10(0.9 / Math.SQRT2), 1);
    const modelJson = JSON.parse(fs.readFileSync(path.join(modelDir, 'decoder', 'model.json'), 'utf8'));
    const weights = fs.readFileSync(path.join(modelDir, 'decoder', modelJson.weightsManifest[0].paths[0]));
    const decoder = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
    );
    const y = decoder.predict([tf.zeros([1, 2]), tf.tensor2d([[0, 1, 0, 0.5]])]) as tf.Tensor;
    expect(y.shape).toEqual([1, LENGTH]);
    expect(decoder.inputs.map((i) => i.shape)).toEqual([[null, 2], [null, 4]]);
  });

  test('generate --class gives the pitch of that class, and a higher --velocity a louder sample', async () => {
    const out = (name: string) => path.join(root, name);
    for (const c of Object.keys(PITCH)) {
      for (const v of ['0.1', '0.9']) {
        const r = await runCli(['--quiet', 'generate', '-m', modelDir, '--z', '0,0', '--class', c, '--velocity', v, '-o', out(`${c}-${v}.wav`)]);
        expect(r.code).toBe(0);
      }
    }
    for (const c of Object.keys(PITCH)) {
      const loud = await readSamples(out(`${c}-0.9.wav`));
      const quiet = await readSamples(out(`${c}-0.1.wav`));
      expect(Math.abs(peakFrequency(loud) - PITCH[c]!)).toBeLessThan(0.03);
      expect(peak(loud)).toBeGreaterThan(2 * peak(quiet));
    }
    // --level in dBFS is the same request as the velocity it stands for.
    const meta = readModelMetadata(modelDir);
    const level = meta.condition!.velocity!.min_dbfs + 0.9 * (meta.condition!.velocity!.max_dbfs - meta.condition!.velocity!.min_dbfs);
    await runCli(['--quiet', 'generate', '-m', modelDir, '--z', '0,0', '--class', 'snare', '--level', `${level.toFixed(4)}dB`, '-o', out('level.wav')]);
    const viaLevel = await readSamples(out('level.wav'));
    const viaVelocity = await readSamples(out('snare-0.9.wav'));
    viaLevel.forEach((v, i) => expect(v).toBeCloseTo(viaVelocity[i]!, 3));
  });

  test('--random N without a class writes N of every class from shared latent points, recorded in points.json', async () => {
    const dir = path.join(root, 'random');
    const r = await runCli(['--quiet', 'generate', '-m', modelDir, '--random', '2', '--velocity', '0.7', '-o', dir]);
    expect(r.code).toBe(0);
    const points = JSON.parse(fs.readFileSync(path.join(dir, 'points.json'), 'utf8'));
    expect(points.files.map((f: { file: string }) => f.file).sort()).toEqual(
      ['hat-closed-random-0.wav', 'hat-closed-random-1.wav', 'kick-random-0.wav', 'kick-random-1.wav', 'snare-random-0.wav', 'snare-random-1.wav'],
    );
    const kick0 = points.files.find((f: { file: string }) => f.file === 'kick-random-0.wav');
    const snare0 = points.files.find((f: { file: string }) => f.file === 'snare-random-0.wav');
    expect(kick0.z).toEqual(snare0.z);
    expect(kick0.condition).toEqual({ mix: { kick: 1 }, velocity: 0.7 });
  });

  test('--mix blends classes: the spectrum holds both pitches', async () => {
    const file = path.join(root, 'mix.wav');
    expect((await runCli(['--quiet', 'generate', '-m', modelDir, '--z', '0,0', '--mix', 'kick=1,hat-closed=1', '--velocity', '0.9', '-o', file])).code).toBe(0);
    const kick = await readSamples(path.join(root, 'kick-0.9.wav'));
    const mixed = await readSamples(file);
    expect(mixed.some((v, i) => Math.abs(v - kick[i]!) > 1e-3)).toBe(true);
  });

  test('bad requests exit 2 naming what the model offers', async () => {
    const run = (args: string[]) => runCli(['--quiet', 'generate', '-m', modelDir, '--z', '0,0', '-o', path.join(root, 'bad.wav'), ...args]);
    expect((await run(['--class', 'cowbell'])).err).toMatch(/class 'cowbell' \(perc in sampgen's classes\) is not one model cvae was trained on \(kick, snare, hat-closed\)/);
    expect((await run(['--mix', 'kick=1,clap=1'])).err).toMatch(/class 'clap' is not one model cvae was trained on/);
    expect((await run(['--class', 'kick', '--mix', 'kick=1'])).err).toMatch(/--class or --mix, not both/);
    expect((await run(['--mix', 'kick=x'])).err).toMatch(/--mix "kick=x": expected CLASS=WEIGHT/);
    expect((await run(['--level', '+3dB'])).err).toMatch(/--level "\+3dB": expected a level in dBFS <= 0/);
    const r = await run(['--velocity', 'loud']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--velocity "loud": expected a number/);
  });

  test('encode reads each file’s class from its name and its velocity from its level; --class overrides; unknown names exit 2', async () => {
    const { rows } = pitchedClassRows(6, LENGTH);
    const write = (name: string, row: Float32Array) => {
      const file = path.join(root, name);
      fs.writeFileSync(file, encodeWav([row], SAMPLE_RATE, 'float32'));
      return file;
    };
    // Real datasets are aligned by preprocessing: the files are written already aligned (peak at the model's attack).
    const kick = write('Kick-Hard.wav', rows[0]!);
    const mystery = write('take-7.wav', rows[1]!);
    const r = await runCli(['--quiet', '--json', 'encode', '-m', modelDir, kick]);
    const [result] = JSON.parse(r.out);
    expect(result.condition.mix).toEqual({ kick: 1 });
    const meta = readModelMetadata(modelDir);
    const measured = (await import('../../src/preprocess/pipeline')).sourceLevels(rows[0]!, 0, SAMPLE_RATE).attackRmsDbfs;
    expect(result.condition.velocity).toBeCloseTo((measured - meta.condition!.velocity!.min_dbfs) / (meta.condition!.velocity!.max_dbfs - meta.condition!.velocity!.min_dbfs), 1);
    const unknown = await runCli(['--quiet', 'encode', '-m', modelDir, mystery]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/take-7.wav: its name does not say which drum it is.*--class \(one of kick, snare, hat-closed\)/);
    const forced = await runCli(['--quiet', '--json', 'encode', '-m', modelDir, '--class', 'snare', mystery]);
    expect(JSON.parse(forced.out)[0].condition.mix).toEqual({ snare: 1 });
  });

  test('an unconditional model refuses condition options, naming them', async () => {
    const vae = path.join(root, 'vae.yaml');
    fs.writeFileSync(vae, fs.readFileSync(path.join(root, 'cvae.yaml'), 'utf8').replace(', condition: {class: true, velocity: true}', '').replace('epochs: 150', 'epochs: 1'));
    expect((await runCli(['--quiet', 'train', '--config', vae])).code).toBe(0);
    const r = await runCli(['--quiet', 'generate', '-m', path.join(root, 'models', 'vae'), '--z', '0,0', '--class', 'kick', '-o', path.join(root, 'u.wav')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/model vae \(vae\) is not conditional: --class cannot apply/);
    expect(readModelMetadata(path.join(root, 'models', 'vae')).version).toBe(1);
  });
});

test('a conditional conv VAE trains, exports a two-input decoder, and generates every class', async () => {
  await tf.setBackend('cpu');
  const root = tempDir('sampgen-conv-cvae-');
  const classes = ['kick', 'snare'];
  const rows = Array.from({ length: 12 }, (_, i) =>
    Float32Array.from({ length: 1024 }, (_, t) => (0.2 + 0.05 * i) * Math.exp(-t / 200) * Math.sin(2 * Math.PI * (i % 2 ? 0.1 : 0.02) * t)),
  );
  writeTestDataset(path.join(root, 'ds'), rows, SAMPLE_RATE, { classes: rows.map((_, i) => classes[i % 2]!), levels: rows.map((_, i) => -20 + i) });
  fs.writeFileSync(
    path.join(root, 'c.yaml'),
    [
      'model: {type: conv-vae, latent: 3, length: 1024, d: 1, condition: {class: true, velocity: true}}',
      `data: {path: ${JSON.stringify(path.join(root, 'ds'))}}`,
      'train: {epochs: 1, batch_size: 6, backend: cpu}',
      'vae: {kl_ramp_steps: 4}',
      `output: {runs: ${JSON.stringify(path.join(root, 'runs'))}, models: ${JSON.stringify(path.join(root, 'models'))}, tensorboard: false}`,
    ].join('\n'),
  );
  expect((await runCli(['--quiet', 'train', '--config', path.join(root, 'c.yaml')])).code).toBe(0);
  const modelDir = path.join(root, 'models', 'c');
  expect(readModelMetadata(modelDir).condition).toMatchObject({ classes: ['kick', 'snare'], velocity: { min_dbfs: -20, max_dbfs: -9 } });
  const out = path.join(root, 'gen');
  expect((await runCli(['--quiet', 'generate', '-m', modelDir, '--random', '1', '-o', out])).code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['kick-random-0.wav', 'points.json', 'snare-random-0.wav']);
}, 60_000);
