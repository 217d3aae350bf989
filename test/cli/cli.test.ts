import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { firstClause } from '../../src/cli/main';
import { tempDir } from '../helpers/dataset';
import { runCli } from '../helpers/cli';

// These run the built CLI (bin/sampgen → dist/), as a user would; `npm test` builds first.
const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');
const run = (args: string[], cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, timeout: 60000 });

describe('the sampgen command line', () => {
  test('--help lists every command with a one-line summary and the exit codes', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const cmd of ['quickstart', 'synth', 'preprocess', 'resample', 'peak-align', 'trim', 'train', 'export', 'generate', 'encode', 'interpolate', 'latent-map', 'evaluate', 'sweep', 'report', 'audition', 'doctor']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
    expect(r.stdout).toContain('Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad input');
  });

  test('--help marks the options that must be given', () => {
    const train = run(['train', '--help']);
    expect(train.stdout).toMatch(/-c, --config <file>[\s\S]*?\(required\)/);
    const resample = run(['resample', '--help']);
    expect(resample.stdout).toMatch(/--sample-rate <hz>\s+target sample rate in Hz \(required\)/);
    expect(run(['generate', '--help']).stdout).not.toMatch(/--seed <n>[^\n]*\(required\)/);
  });

  test('bad usage exits 2 with a message', () => {
    const r = run(['train', '--config', 'x.yaml', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  test('a config with an unknown key exits 2 naming the file and the key path', () => {
    const dir = tempDir();
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'model:\n  type: dense-ae\n  size: small\n  activation: tanh\n  sise: big\n');
    const r = run(['train', '--config', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('model.sise');
  });

  test('a folder that is not an exported model exits 2 and says so', () => {
    const dir = tempDir();
    const r = run(['generate', '--model', dir, '--z', '0,0', '--out', path.join(dir, 'x.wav')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not an exported sampgen model/);
  });

  test('output into a pipe that closes early (| head) ends quietly with exit 0', () => {
    const grid = path.join(__dirname, '..', '..', 'examples', 'grids', 'study.yaml');
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" sweep plan "${grid}" | head -c 10 >/dev/null; echo "status \${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      timeout: 60000,
    });
    expect(r.stdout.trim()).toBe('status 0');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });

  test('the first clause of a description is its summary', () => {
    expect(firstClause('Turn raw one-shots into a dataset: for each file, …')).toBe('Turn raw one-shots into a dataset');
    expect(firstClause('Check the environment. Node and TF.js versions')).toBe('Check the environment');
    expect(firstClause('Compare runs (v1.2 format)')).toBe('Compare runs (v1.2 format)');
  });
});

test('running the CLI many times in one process (as an embedding program does) adds one stdout error listener, not one per run', async () => {
  await runCli(['--version']);
  const listeners = process.stdout.listenerCount('error');
  for (let i = 0; i < 12; i++) expect((await runCli(['--version'])).code).toBe(0);
  expect(process.stdout.listenerCount('error')).toBe(listeners);
});
