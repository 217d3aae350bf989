import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { readMarker, DONE_FILE, DoneMarker, planSweep } from '../../src/sweep';
import { readLog } from '../../src/train/log';
import { tinyProject } from './helpers';

// Separate OS processes through the built CLI (bin/sampgen → dist/; `npm test` builds first), as Slurm tasks or
// pods sharing a folder would run them.
const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

function sweep(args: string[], onStart?: (kill: (s: NodeJS.Signals) => void) => void): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'sweep', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    onStart?.((s) => child.kill(s));
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

const EPOCHS = 40;

test('two processes started on one entry: one trains it, the other skips it, and the run folder is whole', async () => {
  const p = tinyProject('configs: [configs/ae-small-tanh.yaml]\n', { epochs: EPOCHS });
  const runDir = planSweep(p.gridFile).entries[0]!.runDir;
  const [a, b] = await Promise.all([sweep([p.gridFile, '--index', '0', '--no-export']), sweep([p.gridFile, '--index', '0', '--no-export'])]);
  expect([a.code, b.code]).toEqual([0, 0]);
  const said = [a.out, b.out].map((o) => (/1 completed/.test(o) ? 'completed' : /1 (locked|already done)/.test(o) ? 'skipped' : o));
  expect(said.sort()).toEqual(['completed', 'skipped']);
  expect(readLog(runDir).map((r) => r.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
  expect(readMarker<DoneMarker>(runDir, DONE_FILE)!.status).toBe('completed');
}, 120000);

test('a worker killed with SIGKILL mid-run: the next run takes over its lock and resumes from the checkpoint', async () => {
  const p = tinyProject('configs: [configs/ae-small-tanh.yaml]\n', { epochs: EPOCHS });
  const runDir = planSweep(p.gridFile).entries[0]!.runDir;
  const killed = await sweep([p.gridFile, '--index', '0', '--no-export'], (kill) => {
    const poll = setInterval(() => {
      const log = path.join(runDir, 'log.jsonl');
      if (fs.existsSync(log) && fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).length >= 3) {
        clearInterval(poll);
        kill('SIGKILL');
      }
    }, 5);
  });
  expect(killed.signal).toBe('SIGKILL');
  const before = readLog(runDir).length;
  expect(before).toBeGreaterThanOrEqual(3);
  expect(before).toBeLessThan(EPOCHS);
  expect(fs.existsSync(path.join(runDir, DONE_FILE))).toBe(false);

  const again = await sweep([p.gridFile, '--index', '0', '--no-export']);
  expect(again.code).toBe(0);
  expect(again.out).toMatch(/1 completed/);
  expect(readLog(runDir).map((r) => r.epoch)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
  expect(readMarker<DoneMarker>(runDir, DONE_FILE)!.status).toBe('completed');
}, 120000);
