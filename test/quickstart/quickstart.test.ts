import * as fs from 'fs';
import * as path from 'path';
import { decodeAudio } from '../../src/audio';
import { isUserError } from '../../src/errors';
import { quickstart } from '../../src/quickstart';
import { tempDir } from '../helpers/dataset';

/** The main job end to end, as `npm run quickstart` runs it, made small: few snares, two epochs of the small AE. */
test('quickstart leaves a dataset, a run, an exported model, a grid, a centre sample with plots, a latent map and metrics', async () => {
  const folder = path.join(tempDir('quickstart'), 'qs');
  const s = await quickstart({ folder, count: 24, epochs: 2, config: 'ae-small-tanh', backend: 'wasm', force: false });
  const dataset = JSON.parse(fs.readFileSync(path.join(s.dataset, 'dataset.json'), 'utf8'));
  expect(dataset.count).toBe(24);
  expect(dataset.length).toBe(17640);
  expect(fs.readFileSync(path.join(s.run, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  for (const part of ['sampgen.json', 'encoder/model.json', 'decoder/model.json']) expect(fs.existsSync(path.join(s.model, part))).toBe(true);
  expect(fs.readdirSync(s.grid).filter((f) => f.endsWith('.wav'))).toHaveLength(36);
  const centre = await decodeAudio(fs.readFileSync(s.sample));
  expect(centre.sampleRate).toBe(44100);
  expect(centre.channels[0]!.length).toBe(17640);
  for (const png of [s.contact_sheet, s.latent_map, ...s.sample_plots]) expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  const metrics = JSON.parse(fs.readFileSync(s.metrics, 'utf8')).models[0].metrics;
  for (const key of ['recon_mse', 'smoothness', 'gen_frechet']) expect(Number.isFinite(metrics[key])).toBe(true);
  expect(Number.isFinite(s.final_loss)).toBe(true);

  // a second run into the same folder needs --force
  const err = await quickstart({ folder, count: 24, epochs: 2, config: 'ae-small-tanh', backend: 'wasm', force: false }).catch((e: unknown) => e);
  expect(isUserError(err)).toBe(true);
  expect((err as Error).message).toMatch(/not empty; use --force/);
});
