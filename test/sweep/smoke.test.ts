import * as fs from 'fs';
import * as path from 'path';
import { planSweep, runSweep, readMarker, DONE_FILE, DoneMarker } from '../../src/sweep';
import { openDataset } from '../../src/data';
import { cutAroundPeak, ensureSmokeDataset, SMOKE_ROWS, SMOKE_STEPS } from '../../src/train/smoke';
import { tempDir } from '../helpers/dataset';
import { tinyProject, LENGTH } from './helpers';

describe('smoke runs', () => {
  test('the study grid: a dense AE, a VAE, the conv AE and the GAN each train a few steps and export', async () => {
    const root = tempDir();
    const plan = planSweep(path.join(__dirname, '../../examples/grids/study.yaml'), {
      smoke: true,
      // wasm: the conv models' smoke steps take seconds there, minutes on the pure-JS cpu backend.
      sets: [`output.runs=${path.join(root, 'runs')}`, `output.models=${path.join(root, 'models')}`, 'train.backend=wasm'],
    });
    const picked = [6, 9, 12, 13];
    expect(picked.map((i) => plan.entries[i]!.loaded.config.model.type)).toEqual(['dense-ae', 'vae', 'conv-ae', 'gan']);
    const result = await runSweep({ plan, indices: picked });
    expect(result.outcomes.map((o) => [o.name, o.status, o.message])).toEqual([
      ['ae-small-relu', 'completed', undefined],
      ['vae-a', 'completed', undefined],
      ['conv-ae', 'completed', undefined],
      ['gan', 'completed', undefined],
    ]);
    for (const i of picked) {
      const e = plan.entries[i]!;
      expect(path.dirname(e.runDir)).toBe(path.join(root, 'runs', '.smoke', 'runs'));
      const done = readMarker<DoneMarker>(e.runDir, DONE_FILE)!;
      expect(done.steps).toBe(SMOKE_STEPS);
      expect(done.model).toBe(path.join(root, 'runs', '.smoke', 'models', path.basename(e.runDir)));
      expect(fs.existsSync(path.join(done.model!, 'sampgen.json'))).toBe(true);
    }
    for (const length of [17640, 16384]) {
      const ds = openDataset(path.join(root, 'runs', '.smoke', 'data', `L${length}`));
      expect([ds.count, ds.length, ds.sampleRate]).toEqual([SMOKE_ROWS, length, 44100]);
      ds.close();
    }
    // Nothing outside the smoke folder.
    expect(fs.readdirSync(path.join(root, 'runs'))).toEqual(['.smoke']);
    expect(fs.existsSync(path.join(root, 'models'))).toBe(false);
  });

  test('a grid with train.batch_size on an axis smoke-runs: entries that differ only in what the smoke run fixes share one run', async () => {
    const p = tinyProject('configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.batch_size: [4, 8]\n  train.seed: [1, 2]\n', {
      configs: { 'ae-small-tanh.yaml': `model: { type: dense-ae, size: small, activation: tanh, length: ${LENGTH} }` },
    });
    const real = planSweep(p.gridFile);
    expect(new Set(real.entries.map((e) => e.runDir)).size).toBe(4);
    const plan = planSweep(p.gridFile, { smoke: true });
    expect(plan.entries.map((e) => e.loaded.config.train.batch_size)).toEqual([4, 4, 4, 4]);
    const result = await runSweep({ plan, indices: [0, 1, 2, 3], export: false });
    // Seeds still differ under smoke; batch sizes do not (the smoke run fixes them).
    expect(result.outcomes.map((o) => o.status)).toEqual(['completed', 'completed', 'already-done', 'already-done']);
    expect(result.outcomes[2]!.message).toBe('the same smoke run as entry 0 (a smoke run fixes batch size, epochs and data)');
  });

  test('the smoke dataset is made once, with the peak of every row at the attack', () => {
    const dir = path.join(tempDir(), 'L64');
    ensureSmokeDataset(dir, 64);
    const first = fs.readFileSync(path.join(dir, 'samples.f32'));
    ensureSmokeDataset(dir, 64);
    expect(fs.readFileSync(path.join(dir, 'samples.f32'))).toEqual(first);
    const ds = openDataset(dir);
    const rows = ds.readRows(Int32Array.from({ length: ds.count }, (_, i) => i));
    for (let r = 0; r < ds.count; r++) {
      const row = rows.subarray(r * 64, (r + 1) * 64);
      let peak = 0;
      row.forEach((v, i) => (Math.abs(v) > Math.abs(row[peak]!) ? (peak = i) : 0));
      expect(peak).toBe(ds.info.attack);
    }
    ds.close();
  });

  test('cutAroundPeak pads where the hit is short and puts the peak at the attack', () => {
    const hit = Float32Array.from([0, 0.1, -0.9, 0.5, 0.2]);
    expect(Array.from(cutAroundPeak(hit, 6, 3))).toEqual([0, 0, 0.1, -0.9, 0.5, 0.2].map(Math.fround));
    expect(Array.from(cutAroundPeak(hit, 3, 0))).toEqual([-0.9, 0.5, 0.2].map(Math.fround));
  });
});
