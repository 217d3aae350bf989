import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

// The built CLI (bin/sampgen → dist/), as a user runs it; `npm test` builds first.
const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');

interface Finished {
  code: number | null;
  stderr: string;
}

/** Starts `sampgen train`, sends `signal` once the run's log has more than `afterLines` epochs, and waits for the exit. */
function trainAndSignal(args: string[], runsDir: string, signal: NodeJS.Signals, afterLines = 0): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sent = false;
    const poll = setInterval(() => {
      const runs = fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [];
      const log = runs.length === 1 ? path.join(runsDir, runs[0]!, 'log.jsonl') : null;
      if (!sent && log && fs.existsSync(log) && fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).length > afterLines) {
        sent = true;
        child.kill(signal);
      }
    }, 20);
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sampgen train did not stop after ${signal}; stderr:\n${stderr}`));
    }, 60000);
    child.on('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timeout);
      resolve({ code, stderr });
    });
  });
}

/** A config that trains (practically) for ever on a tiny dataset, with its runs folder: only a signal ends it. */
function endlessRun(): { config: string; runs: string } {
  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(40, 256));
  const config = path.join(root, 'tiny.yaml');
  const runs = path.join(root, 'runs');
  fs.writeFileSync(
    config,
    [
      'model: { type: dense-ae, size: small, activation: tanh, length: 256 }',
      `data: { path: ${JSON.stringify(data)}, validation: 0.25 }`,
      'train: { epochs: 100000, batch_size: 2, backend: wasm, checkpoint_every: 100000 }',
      `output: { runs: ${JSON.stringify(runs)}, models: ${JSON.stringify(path.join(root, 'models'))} }`,
      '',
    ].join('\n'),
  );
  return { config, runs };
}

describe.each(['SIGTERM', 'SIGINT'] as const)('sampgen train and %s', (signal) => {
  test('finishes the batch, keeps a checkpoint, says how to continue, exits 0; --resume continues from it', async () => {
    const { config, runs } = endlessRun();
    const first = await trainAndSignal(['train', '--config', config], runs, signal);
    expect(first.stderr).toContain(`${signal}: finishing the batch, then saving a checkpoint`);
    expect(first.stderr).toMatch(/stopped \(SIG(TERM|INT)\) .*checkpoint saved in .*; continue with --resume/);
    expect(first.code).toBe(0);
    const runDir = path.join(runs, fs.readdirSync(runs)[0]!);
    const saved = readCheckpointState(runDir)!;
    expect(saved.step).toBeGreaterThan(0);
    expect(saved.epoch).toBeLessThan(100000);

    // --resume continues from it: the next logged epoch follows the last one, and the step count goes on.
    const before = readLog(runDir);
    const second = await trainAndSignal(['train', '--config', config, '--resume'], runs, 'SIGTERM', before.length);
    expect(second.code).toBe(0);
    const after = readLog(runDir);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after[before.length]!.epoch).toBe(before.at(-1)!.epoch + 1);
    expect(after[before.length]!.step).toBeGreaterThan(before.at(-1)!.step);
  }, 120000);
});

test('a second SIGTERM right after "checkpoint saved" still exits 0 (the work is saved)', async () => {
  const { config, runs } = endlessRun();
  const finished = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'train', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let second = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!second && /checkpoint saved/.test(stderr)) {
        second = true;
        child.kill('SIGTERM'); // at once, while the command prints its summary and returns
      }
    });
    let first = false;
    const poll = setInterval(() => {
      const found = fs.existsSync(runs) ? fs.readdirSync(runs) : [];
      const log = found.length === 1 ? path.join(runs, found[0]!, 'log.jsonl') : null;
      if (!first && log && fs.existsSync(log) && fs.readFileSync(log, 'utf8').trim() !== '') {
        first = true;
        child.kill('SIGTERM');
      }
    }, 20);
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sampgen train did not stop; stderr:\n${stderr}`));
    }, 60000);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timeout);
      resolve({ code, signal, stderr });
    });
  });
  expect(finished.stderr).toMatch(/checkpoint saved/);
  expect({ code: finished.code, signal: finished.signal }).toEqual({ code: 0, signal: null });
}, 120000);
