import * as fs from 'fs';
import * as path from 'path';
import { configReference, referenceGaps } from '../../src/config/reference';
import { runCli } from '../helpers/cli';

const cli = runCli;

describe('sampgen config show', () => {
  const CONFIG = path.join(__dirname, '..', '..', 'configs', 'ae-small-tanh.yaml');
  test('prints the resolved config with --set applied and its run hash', async () => {
    const shown = await cli(['config', 'show', CONFIG, '--set', 'train.lr=1e-4']);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/# hash: [0-9a-f]{8}/);
    expect(shown.out).toMatch(/\n  lr: 0.0001\n/);
    expect(shown.out).toMatch(/\n  early_stop: null\n/);
    const json = JSON.parse((await cli(['--json', 'config', 'show', CONFIG])).out);
    expect(json).toMatchObject({ run: expect.stringMatching(/^ae-small-tanh-[0-9a-f]{8}$/), config: { model: { size: 'small', activation: 'tanh' } } });
  });

  test('an unknown key is exit 2 naming it', async () => {
    const bad = await cli(['config', 'show', CONFIG, '--set', 'train.lrr=1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/train\.lrr/);
  });
});

describe('config reference', () => {
  test('every schema key has a meaning, and every meaning a schema key', () => {
    expect(referenceGaps()).toEqual({ undocumented: [], unknown: [] });
  });

  test('docs/config.md is the generated reference (regenerate: node bin/sampgen config reference > docs/config.md)', () => {
    const file = path.join(__dirname, '..', '..', 'docs', 'config.md');
    expect(fs.readFileSync(file, 'utf8')).toBe(configReference());
  });

  test('states defaults and requirements from the code', () => {
    const text = configReference();
    expect(text).toContain('| `train.epochs` | an integer >= 1 | 700 |');
    expect(text).toContain('| `model.size` | one of small, medium, big | dense-ae: required; vae: "medium" |');
    expect(text).toContain('| `train.early_stop.patience` | an integer >= 1 | required |');
  });
});
