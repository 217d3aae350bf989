import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../helpers/cli';
import { loadConfig } from '../../src/config';
import { trainModel } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { tinyProject } from '../sweep/helpers';

const cli = (args: string[]) => runCli(['--quiet', ...args]);

describe('sampgen runs', () => {
  test('lists runs with status, epochs, best and last validation loss and dataset; shows one; diffs two', async () => {
    const p = tinyProject('configs: [configs/ae-*.yaml]\n', { epochs: 3 });
    const configFile = path.join(p.root, 'configs', 'ae-small-tanh.yaml');
    const done = await trainModel({ loaded: loadConfig(configFile), export: false });
    const other = await trainModel({ loaded: loadConfig(configFile, ['train.lr=0.001', 'train.epochs=5', 'train.max_steps=2']), export: false });

    const listed = await cli(['--json', 'runs', p.runs]);
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out).runs as Record<string, unknown>[];
    const row = rows.find((r) => r.folder === path.basename(done.runDir))!;
    const log = readLog(done.runDir);
    const bestVal = Math.min(...log.map((r) => r.val_loss!));
    expect(row).toMatchObject({ status: 'completed', epochs: 3, target_epochs: 3, best_val_loss: bestVal, last_val_loss: log.at(-1)!.val_loss, dataset: done.dataset });
    expect(rows.find((r) => r.folder === path.basename(other.runDir))).toMatchObject({ status: 'completed', epochs: 1, target_epochs: 5 });

    const table = await cli(['runs', 'list', p.runs]);
    expect(table.out.split('\n')[0]).toMatch(/^run +model +status +epochs +best val \(epoch\) +last val +dataset +wall$/);
    expect(table.out).toContain(`${path.basename(done.runDir)}  dense-ae  completed  3/3`);

    const shown = await cli(['runs', 'show', done.runDir]);
    expect(shown.out).toContain('activation: tanh');
    const diff = await cli(['--json', 'runs', 'show', done.runDir, '--diff', other.runDir]);
    expect(JSON.parse(diff.out).differences).toEqual([
      { key: 'train.lr', a: 0.01, b: 0.001, hashed: true },
      { key: 'train.epochs', a: 3, b: 5, hashed: false },
      { key: 'train.max_steps', a: null, b: 2, hashed: false },
    ]);
    // A run whose checkpoint is damaged is still listed (with a warning saying what is wrong), not dropped.
    fs.writeFileSync(path.join(other.runDir, 'checkpoints', 'latest', 'checkpoint.json'), '{');
    const withDamaged = await runCli(['runs', p.runs]);
    expect(withDamaged.out).toContain(`${path.basename(other.runDir)}  (cannot be read: see the warning above)`);
    expect(withDamaged.err).toMatch(/checkpoint\.json is damaged/);
    const notARun = await cli(['runs', 'show', p.root]);
    expect(notARun.code).toBe(2);
    expect(notARun.err).toContain(`${p.root} is not a run folder`);
    expect(fs.existsSync(p.runs)).toBe(true);
  });
});

describe('metrics files of an earlier format', () => {
  test('a version-1 metrics.json (other Fréchet, NDB and click definitions) is refused, saying to evaluate again', async () => {
    const { readMetricsFile } = await import('../../src/report');
    const file = path.join(tinyProject('configs: []\n').root, 'metrics.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, models: [] }));
    expect(() => readMetricsFile(file)).toThrow(/written by an earlier sampgen \(metrics format 1\).*run `sampgen evaluate` again/);
  });
});
