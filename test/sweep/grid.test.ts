import * as fs from 'fs';
import * as path from 'path';
import { parseGrid, planSweep, planSummary, readGridFile } from '../../src/sweep';
import { isUserError } from '../../src/errors';
import { tinyProject } from './helpers';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('grid expansion', () => {
  const grid = [
    'configs: [configs/ae-*.yaml]',
    'axes:',
    '  train.lr: [0.01, 0.001]',
    '  train.seed: [1, 2, 3]',
    '',
  ].join('\n');

  test('configs sorted by name, axes in file order, the last axis fastest; hashes and folders as loadConfig gives them', () => {
    const p = tinyProject(grid);
    const plan = planSweep(p.gridFile);
    expect(plan.entries).toHaveLength(2 * 2 * 3);
    const rows = plan.entries.map((e) => [e.index, path.basename(e.config), ...e.axes]);
    expect(rows.slice(0, 7)).toEqual([
      [0, 'ae-small-relu.yaml', 'train.lr=0.01', 'train.seed=1'],
      [1, 'ae-small-relu.yaml', 'train.lr=0.01', 'train.seed=2'],
      [2, 'ae-small-relu.yaml', 'train.lr=0.01', 'train.seed=3'],
      [3, 'ae-small-relu.yaml', 'train.lr=0.001', 'train.seed=1'],
      [4, 'ae-small-relu.yaml', 'train.lr=0.001', 'train.seed=2'],
      [5, 'ae-small-relu.yaml', 'train.lr=0.001', 'train.seed=3'],
      [6, 'ae-small-tanh.yaml', 'train.lr=0.01', 'train.seed=1'],
    ]);
    const e4 = plan.entries[4]!;
    expect(e4.loaded.config.train.lr).toBe(0.001);
    expect(e4.loaded.config.train.seed).toBe(2);
    expect(e4.runDir).toBe(path.join(p.runs, `ae-small-relu-${e4.hash}`));
    expect(new Set(plan.entries.map((e) => e.hash)).size).toBe(12);
  });

  test('the same grid plans the same index -> run mapping every time, from any working directory', () => {
    const p = tinyProject(grid);
    const first = planSummary(planSweep(p.gridFile)).entries;
    const cwd = process.cwd();
    try {
      process.chdir(p.root);
      const again = planSummary(planSweep('grid.yaml')).entries as { hash: string; run: string }[];
      expect(again.map((e) => [e.hash, e.run])).toEqual((first as { hash: string; run: string }[]).map((e) => [e.hash, e.run]));
    } finally {
      process.chdir(cwd);
    }
  });

  test('the shipped study grid plans the study: nine autoencoders, three VAEs, the conv AE and the GAN', () => {
    const plan = planSweep(path.join(__dirname, '../../examples/grids/study.yaml'));
    expect(plan.entries.map((e) => e.name)).toEqual([
      'ae-big-relu', 'ae-big-sigmoid', 'ae-big-tanh', 'ae-medium-relu', 'ae-medium-sigmoid', 'ae-medium-tanh',
      'ae-small-relu', 'ae-small-sigmoid', 'ae-small-tanh', 'vae-a', 'vae-b', 'vae-c', 'conv-ae', 'gan',
    ]);
    // Stable: these hashes name run folders on every machine that runs the grid; a change here moves every run.
    expect(planSweep(path.join(__dirname, '../../examples/grids/study.yaml')).entries.map((e) => e.hash)).toEqual(plan.entries.map((e) => e.hash));
  });

  test('--set and the grid\'s set apply to every entry', () => {
    const p = tinyProject('configs: [configs/ae-small-tanh.yaml]\nset:\n  train.epochs: 5\naxes:\n  train.seed: [1, 2]\n');
    const plan = planSweep(p.gridFile, { sets: ['train.batch_size=4'] });
    expect(plan.entries.map((e) => [e.loaded.config.train.epochs, e.loaded.config.train.batch_size])).toEqual([[5, 4], [5, 4]]);
    expect(plan.entries[1]!.sets).toEqual(['train.epochs=5', 'train.seed=2', 'train.batch_size=4']);
  });

  test('list values and strings survive the trip through --set expressions', () => {
    const p = tinyProject('configs: [configs/ae-small-tanh.yaml]\naxes:\n  model.encoder_units: [[4], [8, 3]]\n  model.activation: [sigmoid, "relu"]\n');
    const plan = planSweep(p.gridFile);
    expect(plan.entries.map((e) => e.loaded.config.model)).toEqual([
      expect.objectContaining({ encoder_units: [4], activation: 'sigmoid' }),
      expect.objectContaining({ encoder_units: [4], activation: 'relu' }),
      expect.objectContaining({ encoder_units: [8, 3], activation: 'sigmoid' }),
      expect.objectContaining({ encoder_units: [8, 3], activation: 'relu' }),
    ]);
  });
});

describe('grid file errors name the file, line and key', () => {
  test.each([
    ['unknown top-level key', 'configs: [configs/ae-small-tanh.yaml]\naxis:\n  train.lr: [1]\n', /grid\.yaml:2: unknown key "axis"/],
    ['unknown axis key, with a suggestion', 'configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.lrr: [0.1]\n', /grid\.yaml:3: axes: unknown key path train\.lrr \(did you mean train\.lr\?\)/],
    ['a section as an axis', 'configs: [configs/ae-small-tanh.yaml]\naxes:\n  train: [1]\n', /axes: train is a section/],
    ['empty values', 'configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.lr: []\n', /grid\.yaml:3: axes: train\.lr has no values/],
    ['a scalar instead of a list', 'configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.lr: 0.1\n', /axes: train\.lr must be a list/],
    ['no configs', 'axes:\n  train.lr: [0.1]\n', /configs is required/],
    ['a pattern matching nothing', 'configs: [configs/gan-*.yaml]\n', /configs\[0\] configs\/gan-\*\.yaml matches no file/],
    ['a missing file', 'configs: [configs/nope.yaml]\n', /configs\[0\] configs\/nope\.yaml: no such file/],
    ['a config listed twice', 'configs: [configs/ae-small-tanh.yaml, configs/ae-*.yaml]\n', /listed twice/],
    ['an unknown version', 'version: 2\nconfigs: [configs/ae-small-tanh.yaml]\n', /version 2 is not known/],
    ['a duplicate value', 'configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.seed: [1, 1]\n', /train\.seed lists 1 twice/],
  ])('%s', (_what, text, message) => {
    const p = tinyProject(text);
    const err = errorOf(() => readGridFile(p.gridFile));
    expect(isUserError(err)).toBe(true);
    expect(err.message).toContain(p.gridFile);
    expect(err.message).toMatch(message);
  });

  test('an axis that does not apply to one config\'s model type names the grid entry', () => {
    const p = tinyProject('configs: [configs/*.yaml]\naxes:\n  model.activation: [relu, tanh]\n', {
      configs: {
        'a.yaml': 'model: { type: dense-ae, size: small, activation: tanh, length: 64 }',
        'b.yaml': 'model: { type: conv-ae, length: 1024, d: 2 }',
      },
    });
    const err = errorOf(() => planSweep(p.gridFile));
    expect(isUserError(err)).toBe(true);
    expect(err.message).toMatch(/2 of 4 grid entries do not resolve/);
    expect(err.message).toMatch(/entry 2 \(.*b\.yaml with model\.activation=relu\):\n.*model\.activation does not apply to model\.type conv-ae/);
    expect(err.message).toMatch(/entry 3 \(.*b\.yaml with model\.activation=tanh\)/);
  });

  test('an axis over a key the hash leaves out would put two entries in one run folder', () => {
    const p = tinyProject('configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.log_every: [1, 2]\n');
    expect(() => planSweep(p.gridFile)).toThrow(/entries 0 and 1 both resolve to .*ae-small-tanh-/);
  });

  test('an axis over a key the configs already vary repeats an experiment under a misleading name: an error naming both', () => {
    const p = tinyProject('configs: [configs/*.yaml]\naxes:\n  model.activation: [relu, tanh]\n', {
      configs: {
        'relu.yaml': 'model: { type: dense-ae, size: small, activation: relu, length: 64 }',
        'tanh.yaml': 'model: { type: dense-ae, size: small, activation: tanh, length: 64 }',
      },
    });
    const err = errorOf(() => planSweep(p.gridFile));
    expect(isUserError(err)).toBe(true);
    expect(err.message).toMatch(/2 grid entries repeat an experiment/);
    expect(err.message).toMatch(/entries 0 \(.*relu\.yaml with model\.activation=relu\) and 2 \(.*tanh\.yaml with model\.activation=relu\) are one experiment/);
    expect(err.message).toMatch(/entries 1 \(.*relu\.yaml with model\.activation=tanh\) and 3 \(.*tanh\.yaml/);
  });

  test('YAML syntax errors and non-mapping files', () => {
    expect(() => parseGrid('configs: [a\n', 'g.yaml')).toThrow(/g\.yaml: not valid YAML/);
    expect(() => parseGrid('- a\n', 'g.yaml')).toThrow(/g\.yaml: a grid file must be a mapping/);
    expect(() => readGridFile(path.join(fs.mkdtempSync('/tmp/x'), 'none.yaml'))).toThrow(/grid file .*none\.yaml does not exist/);
  });
});

describe('hash stability', () => {
  test('entry hashes equal `sampgen train` with the same overrides, and do not change between versions', () => {
    const root = fs.mkdtempSync(path.join(require('os').tmpdir(), 'sampgen-hash-'));
    fs.writeFileSync(
      path.join(root, 'ae.yaml'),
      'model: { type: dense-ae, size: small, activation: tanh, length: 64 }\ndata: { path: data/tiny }\ntrain: { epochs: 2, backend: cpu }\n',
    );
    fs.writeFileSync(path.join(root, 'grid.yaml'), 'configs: [ae.yaml]\naxes:\n  train.lr: [0.01, 0.001]\n');
    const plan = planSweep(path.join(root, 'grid.yaml'));
    const { loadConfig } = require('../../src/config') as typeof import('../../src/config');
    expect(plan.entries.map((e) => e.hash)).toEqual(['train.lr=0.01', 'train.lr=0.001'].map((s) => loadConfig(path.join(root, 'ae.yaml'), [s]).hash));
    // Pinned: run folders on every machine are named by these; a change here strands existing runs.
    expect(plan.entries.map((e) => e.hash)).toEqual(['951d72de', '52d8a52f']);
    // The hashes the first releases gave them (they also hashed train.epochs): run folders made then are still found.
    expect(plan.entries.map((e) => e.loaded.legacyFullHash!.slice(0, 8))).toEqual(['61e8d3ee', '44b9606b']);
  });
});

describe('hostile grid files', () => {
  test('a FIFO, a folder and an alias bomb are refused at once with one line naming the file', () => {
    const p = tinyProject('configs: [configs/ae-*.yaml]\n');
    const fifo = path.join(p.root, 'grid.fifo');
    require('child_process').execFileSync('mkfifo', [fifo]);
    expect(() => readGridFile(fifo)).toThrow(/cannot read grid file .*grid\.fifo: it is a FIFO/);
    expect(() => readGridFile(p.root)).toThrow(/cannot read grid file .*: it is a folder/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'configs: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expect(() => parseGrid(bomb, 'bomb.yaml')).toThrow(/bomb\.yaml: its YAML aliases .* alias bomb/);
  });
});
