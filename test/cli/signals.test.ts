/**
 * SIGINT/SIGTERM at the edges of a command's life. While the CLI loads (seconds under load) there used to be no
 * handler at all, so even `sampgen train`, whose answer to SIGTERM is a clean stop with exit 0, died with 143.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../helpers/dataset';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'sampgen');
const WHILE_LOADING = path.join(__dirname, 'fixtures', 'signal-while-loading.js');
const AFTER_FINISH = path.join(__dirname, 'fixtures', 'signal-after-finish.js');

function sampgen(preload: string, signal: NodeJS.Signals, args: string[], cwd: string) {
  const r = spawnSync(process.execPath, ['--require', preload, BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, SAMPGEN_TEST_SIGNAL: signal },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const CONFIG = [
  'name: tiny',
  'model: {type: dense-ae, size: small, activation: tanh, latent: 2, length: 64}',
  'data: {path: data, validation: 0.25}',
  'train: {epochs: 1, batch_size: 4, backend: cpu}',
  'output: {runs: runs, models: models}',
].join('\n');

describe('a signal while sampgen starts', () => {
  test('train: stops before it begins, says so, writes nothing, exit 0 (its answer to SIGTERM)', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'tiny.yaml'), CONFIG);
    const r = sampgen(WHILE_LOADING, 'SIGTERM', ['train', '-c', 'tiny.yaml'], dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('sampgen: SIGTERM while starting: stopped before train began; nothing was written (run the same command again to start)\n');
    expect(fs.readdirSync(dir)).toEqual(['tiny.yaml']);
  });

  test('any other command: stops before it begins with 128 + the signal number (130 for SIGINT)', () => {
    const dir = tempDir();
    const r = sampgen(WHILE_LOADING, 'SIGINT', ['synth', 'out', '--count', '1'], dir);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('sampgen: SIGINT while starting: stopped before synth began; nothing was written\n');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });
});

describe('a signal once the command has finished', () => {
  test("ends the process at once with the command's own exit code (a supervisor's second SIGTERM is no failure)", () => {
    const dir = tempDir();
    const ok = sampgen(AFTER_FINISH, 'SIGTERM', ['synth', 'out', '--count', '1'], dir);
    expect(ok.signal).toBeNull();
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toContain('did not end the process');
    const bad = sampgen(AFTER_FINISH, 'SIGTERM', ['synth', 'out', '--count', '1'], dir); // not empty now: exit 2
    expect(bad.signal).toBeNull();
    expect(bad.code).toBe(2);
  });
});

describe("train's stop handlers (train/stop.ts)", () => {
  // The handlers as the compiled CLI uses them, in a process of their own (they call process.exit).
  const script = (markSaved: boolean) => `
    const { installStopHandlers, newStopFlag } = require(${JSON.stringify(path.join(ROOT, 'dist', 'train', 'stop.js'))});
    const flag = newStopFlag();
    installStopHandlers(flag, () => {
      ${markSaved ? 'flag.saved = true; // what the training loop sets once the stop checkpoint is on disk' : ''}
      process.kill(process.pid, 'SIGTERM');
    });
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => {}, 5000);
  `;

  test('a second signal once the checkpoint is saved exits 0', () => {
    const r = spawnSync(process.execPath, ['-e', script(true)], { encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('SIGTERM again: the checkpoint is already saved; exiting');
  });

  test('a second signal before the checkpoint is saved exits 130 at once', () => {
    const r = spawnSync(process.execPath, ['-e', script(false)], { encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(130);
    expect(r.stderr).toContain('SIGTERM again: exiting without a new checkpoint');
  });
});
