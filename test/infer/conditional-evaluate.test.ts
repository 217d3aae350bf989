/**
 * evaluate and latent-map on a conditional VAE (issue 13), through the CLI: a labelled dataset whose class decides
 * the pitch and whose level decides the loudness trains a tiny conditional model; evaluate's independent classifier
 * then hears the requested class in what it generates, and the generated level rises with the requested velocity.
 * An unconditional VAE beside it is the baseline: a class distribution, no accuracy, velocity not applicable.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { runCli } from '../helpers/cli';
import { tempDir, writeTestDataset, CLASS_PITCH, pitchedClassRows } from '../helpers/dataset';

const LENGTH = 64;
const SAMPLE_RATE = 8000;
const PITCH = CLASS_PITCH;
const CLASSES = Object.keys(PITCH);


describe('evaluate and latent-map on a conditional VAE', () => {
  let root: string;
  let cvae: string;
  let vae: string;
  let data: string;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    root = tempDir('sampgen-cvae-eval-');
    const { rows, labels } = pitchedClassRows(60, LENGTH);
    data = writeTestDataset(path.join(root, 'ds'), rows, SAMPLE_RATE, labels);
    const config = (name: string, condition: string, epochs: number, ramp: number) =>
      [
        `name: ${name}`,
        `model: {type: vae, latent: 2, length: 64, encoder_units: [32], decoder_units: [32]${condition}}`,
        `data: {path: ${JSON.stringify(data)}, validation: 0.1}`,
        `train: {epochs: ${epochs}, batch_size: 16, lr: 0.01, backend: cpu, checkpoint_every: 1000}`,
        `vae: {kl_factor: 0.02, kl_ramp_steps: ${ramp}}`,
        `output: {runs: ${JSON.stringify(path.join(root, 'runs'))}, models: ${JSON.stringify(path.join(root, 'models'))}, tensorboard: false}`,
      ].join('\n');
    fs.writeFileSync(path.join(root, 'cvae.yaml'), config('cvae', ', condition: {class: true, velocity: true}', 100, 100));
    fs.writeFileSync(path.join(root, 'vae.yaml'), config('vae', '', 2, 4));
    for (const name of ['cvae', 'vae']) {
      const trained = await runCli(['--quiet', 'train', '--config', path.join(root, `${name}.yaml`)]);
      expect(trained.err).toBe('');
      expect(trained.code).toBe(0);
    }
    cvae = path.join(root, 'models', 'cvae');
    vae = path.join(root, 'models', 'vae');
  }, 180_000);

  test('per requested class: the classifier’s accuracy with its counts, beside its own on held-out real rows; level follows velocity', async () => {
    const out = path.join(root, 'eval');
    const r = await runCli(['--quiet', '--json', 'evaluate', '-m', cvae, vae, '-d', data, '--split', 'all', '--per-class', '20', '--generated', '20', '--grid', '3', '--resamples', '0', '-o', out]);
    expect(r.code).toBe(0);
    const [c, u] = JSON.parse(r.out).models;
    // The classifier: 20 rows per class, 25% held out (5 each), fitted on the other 45; pitches this far apart it never confuses.
    expect(c.classes.classifier.per_class.map((p: { class: string; train: number; test: number }) => [p.class, p.train, p.test])).toEqual([['kick', 15, 5], ['snare', 15, 5], ['hat-closed', 15, 5]]);
    expect(c.metrics.class_real_accuracy).toBe(1);
    expect(c.counts.class_real_accuracy).toEqual({ n_real: 15 });
    // Generated: 20 of every class, each heard as the class requested far above chance (1/3).
    for (const k of CLASSES) {
      expect(c.counts[`class_gen_accuracy:${k}`]).toEqual({ n_generated: 20 });
      expect(c.metrics[`class_gen_accuracy:${k}`]).toBeGreaterThanOrEqual(0.8);
      expect(c.metrics[`velocity_spearman:${k}`]).toBeGreaterThan(0.5);
    }
    expect(c.counts.class_gen_accuracy).toEqual({ n_generated: 60 });
    expect(c.counts.velocity_spearman).toEqual({ n_generated: 60 });
    expect(c.metrics.velocity_spearman).toBeGreaterThan(0.5);
    const kick = c.classes.requested.classes.find((x: { class: string }) => x.class === 'kick');
    expect(Object.values(kick.assigned).reduce((s: number, v) => s + (v as number), 0)).toBe(20);
    expect(c.classes.distribution).toBeNull();
    // Reconstruction and generation ran with conditions, and say so.
    expect(c.counts.recon_mse).toEqual({ n_real: 60, n_generated: 60 });
    expect(c.conditioning.grid).toBe('decoded as kick (the most common training class) at velocity 0.50; gen_grid_* against the 20 real kick rows');
    expect(c.counts.gen_grid_frechet).toEqual({ n_real: 20, n_generated: 9 });
    // The unconditional baseline: what its prior samples sound like, no accuracy, no velocity.
    expect(u.classes.requested).toBeNull();
    expect(u.classes.distribution.n).toBe(20);
    expect(u.counts['class_gen_fraction:snare']).toEqual({ n_generated: 20 });
    expect(u.metrics.class_gen_accuracy).toBeUndefined();
    expect(u.classes.velocity.note).toBe('not applicable: model vae is not conditioned on velocity');
    expect(u.conditioning).toBeNull();
    // The same classifier judged both.
    expect(u.classes.classifier).toEqual(c.classes.classifier);
    const md = fs.readFileSync(path.join(out, 'metrics.md'), 'utf8');
    expect(md).toContain('## Drum classes');
    expect(md).toContain('| class | real: held-out accuracy | real: share of rows | cvae | vae |');
    expect(md).toMatch(/\| snare \| 1 \(n 5\) \| 0\.3333 \| [0-9.]+ \(n 20\); ρ [0-9.]+ \| share [0-9.]+ \(n 20\) \|/);
    expect(md).toMatch(/\| class_gen_accuracy \| — \| 60 \| [0-9.]+ \| n\/a \|/);
  }, 120_000);

  test('latent-map encodes each row with its own condition and colours by class, with a legend of classes and counts', async () => {
    const png = path.join(root, 'map.png');
    const r = await runCli(['--quiet', '--json', 'latent-map', '-m', cvae, '-d', data, '--color', 'class', '-o', png]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out);
    expect(result.count).toBe(60);
    expect(result.legend.entries.map((e: { label: string }) => e.label)).toEqual(['kick (20)', 'snare (20)', 'hat-closed (20)']);
    expect(fs.statSync(png).size).toBeGreaterThan(1000);
  }, 60_000);

  test('a conditional model on a dataset without classes exits 2 naming the dataset and the way out', async () => {
    const plain = writeTestDataset(path.join(root, 'plain'), pitchedClassRows(6, LENGTH).rows, SAMPLE_RATE);
    for (const args of [['evaluate', '-m', cvae, '--held-out', plain], ['latent-map', '-m', cvae, '-d', plain, '-o', path.join(root, 'p.png')]]) {
      const r = await runCli(['--quiet', ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/model cvae is conditioned on drum class, so each row is encoded with its own, but dataset .*plain has no drum classes .*--labels/);
    }
  }, 60_000);
});
