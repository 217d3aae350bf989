import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../helpers/cli';
import { readMarker, DONE_FILE, DoneMarker } from '../../src/sweep';
import { tinyProject, LENGTH } from './helpers';

const cli = (args: string[], env: Record<string, string> = {}) => runCli(['--quiet', ...args], env);

describe('sampgen sweep / report / train --smoke', () => {
  test('plan --json, run --index auto, an out-of-range index, and a report', async () => {
    const p = tinyProject('configs: [configs/ae-*.yaml]\naxes:\n  train.seed: [1, 2]\n');
    const plan = await cli(['--json', 'sweep', 'plan', p.gridFile]);
    expect(plan.code).toBe(0);
    const summary = JSON.parse(plan.out);
    expect(summary.count).toBe(4);
    expect(summary.indices).toEqual([0, 1, 2, 3]);

    const bad = await cli(['sweep', 'run', p.gridFile, '--index', 'auto'], { SAMPGEN_INDEX: '4' });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/index 4 \(from SAMPGEN_INDEX\) is out of range: the grid has 4 entries/);

    const badCode = await cli(['sweep', 'run', p.gridFile, '--index', '0', '--interrupted-exit', '300']);
    expect([badCode.code, badCode.err]).toEqual([2, expect.stringMatching(/--interrupted-exit must be an exit code from 0 to 125, got "300"/)]);

    // A run that finishes exits 0 whatever --interrupted-exit says (the code is for interrupted entries only).
    const run = await cli(['sweep', 'run', p.gridFile, '--index', 'auto', '--no-export', '--interrupted-exit', '75'], { SAMPGEN_INDEX: '2' });
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/1 completed/);
    expect(readMarker<DoneMarker>(summary.entries[2].run, DONE_FILE)!.status).toBe('completed');

    const report = await cli(['report', p.runs, '--out', path.join(p.root, 'report')]);
    expect(report.code).toBe(0);
    expect(fs.readFileSync(path.join(p.root, 'report', 'report.md'), 'utf8')).toContain(path.basename(summary.entries[2].run));
  });

  test('a failing entry makes the exit code 1 after the others ran', async () => {
    const p = tinyProject('configs: [configs/*.yaml]\n', {
      configs: {
        'a.yaml': `model: { type: dense-ae, size: small, activation: tanh, length: ${LENGTH} }`,
        // Dataset length 64 does not match: a user error at training time, recorded as failed.
        'b.yaml': `model: { type: dense-ae, size: small, activation: relu, length: ${LENGTH * 2} }`,
        'c.yaml': `model: { type: dense-ae, size: small, activation: relu, length: ${LENGTH} }`,
      },
    });
    const run = await cli(['sweep', 'run', p.gridFile, '--no-export']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/1 sweep entry failed \(1\)/);
    expect(fs.readdirSync(p.runs).filter((d) => fs.existsSync(path.join(p.runs, d, DONE_FILE)))).toHaveLength(2);
  });

  test('train --smoke and sweep run --smoke train a few steps on synthetic data under <runs>/.smoke', async () => {
    const p = tinyProject('configs: [configs/*.yaml]\n', {
      configs: {
        'ae.yaml': `model: { type: dense-ae, size: small, activation: tanh, length: ${LENGTH} }`,
        'vae.yaml': `model: { type: vae, size: small, activation: tanh, length: ${LENGTH} }`,
      },
    });
    const train = await cli(['--json', 'train', '--config', path.join(p.root, 'configs', 'ae.yaml'), '--smoke']);
    expect(train.code).toBe(0);
    const result = JSON.parse(train.out);
    expect(result.status).toBe('completed');
    expect(result.steps).toBe(3);
    expect(path.dirname(result.runDir)).toBe(path.join(p.runs, '.smoke', 'runs'));
    expect(result.modelDir).toBe(path.join(p.runs, '.smoke', 'models', path.basename(result.runDir)));
    const sweep = await cli(['--json', 'sweep', 'run', p.gridFile, '--smoke']);
    expect(sweep.code).toBe(0);
    const s = JSON.parse(sweep.out);
    expect(s.entries.map((e: { status: string }) => e.status)).toEqual(['completed', 'completed']);
    // Real runs are untouched: nothing but the hidden smoke folder in runs/.
    expect(fs.readdirSync(p.runs)).toEqual(['.smoke']);
  });
});
