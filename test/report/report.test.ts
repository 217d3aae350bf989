import * as fs from 'fs';
import * as path from 'path';
import { planSweep, runSweep } from '../../src/sweep';
import { buildReport, csvTable, markdownTable } from '../../src/report';
import { readLog } from '../../src/train/log';
import { trainModel } from '../../src/train/run';
import { loadConfig } from '../../src/config';
import { isUserError } from '../../src/errors';
import { tinyProject, LENGTH } from '../sweep/helpers';
import { tempDir } from '../helpers/dataset';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Parses report.csv (no quoted commas in these runs' cells). */
function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\r\n');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

describe('report over a few tiny runs', () => {
  let p: ReturnType<typeof tinyProject>;
  let plainRun: string;

  beforeAll(async () => {
    p = tinyProject('configs: [configs/*.yaml]\naxes:\n  train.lr: [0.01, 0.001]\n', {
      configs: {
        'ae-small-relu.yaml': `model: { type: dense-ae, size: small, activation: relu, length: ${LENGTH} }`,
        'ae-small-tanh.yaml': `model: { type: dense-ae, size: small, activation: tanh, length: ${LENGTH} }`,
        'vae-x.yaml': `model: { type: vae, size: small, activation: tanh, length: ${LENGTH} }\nvae: { kl_factor: 0.01, kl_ramp_steps: 0 }`,
      },
    });
    const plan = planSweep(p.gridFile);
    await runSweep({ plan, indices: plan.entries.map((e) => e.index), export: false });
    // A run from plain `train` (no done.json), exported, with a metrics.json of `sampgen evaluate` beside it.
    const loaded = loadConfig(path.join(p.root, 'configs', 'ae-small-tanh.yaml'), ['name=plain', 'train.seed=9']);
    const result = await trainModel({ loaded });
    plainRun = result.runDir;
    const metricsDir = path.join(p.root, 'eval', 'plain');
    fs.mkdirSync(metricsDir, { recursive: true });
    fs.writeFileSync(
      path.join(metricsDir, 'metrics.json'),
      JSON.stringify({
        version: 2,
        models: [
          { name: 'plain', config_hash: loaded.hash, run: path.resolve(plainRun), dataset: p.data, split: 'validation', metrics: { mse: 0.125, mr_stft: 2.5 } },
          { name: 'ghost', config_hash: 'deadbeef', run: null, dataset: p.data, split: 'validation', metrics: { mse: 1 } },
        ],
      }),
    );
    // And one evaluated in its own run folder, matched by hash + name.
    const first = plan.entries[0]!;
    fs.writeFileSync(
      path.join(first.runDir, 'metrics.json'),
      JSON.stringify({ version: 2, models: [{ name: first.name, config_hash: first.hash, run: null, dataset: p.data, split: 'validation', metrics: { mse: 0.5 } }] }),
    );
  });

  test('every run is in the table with its numbers, sorted by val_loss; metrics matched; warnings for the unmatched', () => {
    const out = path.join(p.root, 'report');
    const result = buildReport({ roots: [p.runs], out, metrics: [path.join(p.root, 'eval')] });
    expect(result.runs).toHaveLength(7);
    const rows = readCsv(path.join(out, 'report.csv'));
    expect(rows).toHaveLength(7);
    for (const r of result.runs) {
      const row = rows.find((x) => x.run === r.folder)!;
      const last = readLog(r.dir).at(-1)!;
      expect(Number(row.val_loss)).toBe(last.val_loss);
      expect(Number(row.loss)).toBe(last.loss);
      expect(Number(row.epochs)).toBe(2);
      expect(row.status).toBe('completed');
      expect(row.backend).toBe('cpu');
      expect(Number(row.samples_per_s)).toBeGreaterThan(0);
    }
    const vals = rows.map((r) => Number(r.val_loss));
    expect(vals).toEqual([...vals].sort((a, b) => a - b));
    // Axes: lr varies within dense-ae; activation within dense-ae; kl_factor is one value in the VAE group.
    expect(result.table.columns).toEqual(expect.arrayContaining(['model.activation', 'train.lr', 'train.seed', 'mse', 'mr_stft']));
    expect(result.table.columns).not.toContain('vae.kl_factor');
    const plain = rows.find((x) => x.run === path.basename(plainRun))!;
    expect([plain.mse, plain.mr_stft, plain['train.seed']]).toEqual(['0.125', '2.5', '9']);
    expect(rows.find((x) => x.run.startsWith('ae-small-relu-') && x['train.lr'] === '0.01')!.mse).toBe('0.5');
    expect(result.warnings.join('\n')).toMatch(/metrics for ghost \(config deadbeef\).*match no run/);

    const md = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    for (const r of result.runs) expect(md).toContain(`| ${r.folder} |`);
    expect(md).toMatch(/## Dense autoencoders: val_loss by size and activation/);
    expect(md).toMatch(/\| small \| [0-9.e-]+ \| [0-9.e-]+ \|/);
    for (const f of ['matrix.png', 'curves-dense-ae-loss.png', 'curves-dense-ae-val_loss.png', 'curves-vae-loss.png']) {
      expect(fs.readFileSync(path.join(out, f)).subarray(0, 8)).toEqual(PNG);
      expect(md).toContain(`(${f})`);
    }
    // The matrix cell is the best of the runs with that size and activation.
    const tanh = result.runs.filter((r) => r.modelType === 'dense-ae' && r.flat['model.activation'] === 'tanh').map((r) => r.final.val_loss!);
    expect(result.matrix!.activations).toEqual(['relu', 'tanh']);
    expect(result.matrix!.values[0]![1]).toBe(Math.min(...tanh));
    expect(result.matrix!.counts[0]![1]).toBe(3);
  });

  test('a matrix metric that too few dense runs have: no matrix, and a warning that says why', () => {
    const out = path.join(p.root, 'report-mr-stft-matrix');
    const result = buildReport({ roots: [p.runs], out, matrixMetric: 'mr_stft', metrics: [path.join(p.root, 'eval', 'plain', 'metrics.json')] });
    expect(result.matrix).toBeNull();
    expect(result.warnings.join('\n')).toMatch(/no size x activation matrix of mr_stft: it needs two dense autoencoder runs with a value/);
    expect(fs.existsSync(path.join(out, 'matrix.png'))).toBe(false);
  });

  test('--sort by a metric, descending; missing values last', () => {
    const out = path.join(p.root, 'report-mse');
    const result = buildReport({ roots: [p.runs], out, sort: 'mse', desc: true, metrics: [path.join(p.root, 'eval', 'plain', 'metrics.json')] });
    const mse = result.table.rows.map((r) => r[result.table.columns.indexOf('mse')]);
    expect(mse.slice(0, 2)).toEqual([0.5, 0.125]);
    expect(mse.slice(2).every((v) => v === null)).toBe(true);
  });

  test('bad requests are user errors that say what to do', () => {
    const expectUser = (fn: () => unknown, re: RegExp) => {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(isUserError(err)).toBe(true);
      expect((err as Error).message).toMatch(re);
    };
    const out = path.join(p.root, 'r2');
    expectUser(() => buildReport({ roots: [p.runs], out, sort: 'accuracy' }), /--sort accuracy: no such column.*val_loss/);
    expectUser(() => buildReport({ roots: [p.runs], out, groupBy: 'model.colour' }), /--group-by model\.colour: not a config key/);
    expectUser(() => buildReport({ roots: [p.runs], out, matrixMetric: 'nope' }), /--matrix-metric nope: no such numeric column.*val_loss/);
    // Refused before anything is written: no half report (report.csv and the curves were written before the check).
    expect(fs.existsSync(out)).toBe(false);
    expectUser(() => buildReport({ roots: [tempDir()], out }), /no run folders in/);
    expectUser(() => buildReport({ roots: [path.join(p.root, 'nope')], out }), /no such folder/);
    const bad = path.join(tempDir(), 'metrics.json');
    fs.writeFileSync(bad, JSON.stringify({ version: 9, models: [] }));
    expectUser(() => buildReport({ roots: [p.runs], out, metrics: [bad] }), /metrics format version 9 is not known/);
  });
});

describe('table text', () => {
  test('markdown escapes pipes and CSV quotes what needs quoting, with full precision', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 0.123456789]], new Set(['b']))).toBe('| a | b |\n| --- | ---: |\n| x\\|y | 0.1235 |\n');
    expect(csvTable(['a', 'b'], [['say "hi", then', 0.123456789], [null, 2]])).toBe('a,b\r\n"say ""hi"", then",0.123456789\r\n,2\r\n');
  });
});
