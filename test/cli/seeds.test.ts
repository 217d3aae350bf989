/**
 * Every seed a user gives goes through one check: a whole number in [0, 2^32 − 1], the range Rng keeps. `--seed abc`
 * used to act as 0, 1.5 as 1, -1 as 4294967295 and 1e20 as something else again, silently.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { isUserError } from '../../src/errors';
import { MAX_SEED, parseSeed } from '../../src/util/seed';
import { Rng } from '../../src/util/rng';
import { tempConfigs, errorLines } from '../config/helpers';

const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60000 });

const BAD = ['abc', '', ' ', '1.5', '-1', '+1', '1e3', '0x10', '99999999999999999999', String(MAX_SEED + 1), 'NaN', 'Infinity'];

describe('parseSeed', () => {
  test.each(BAD)('refuses %j, naming the option and the value', (text) => {
    let caught: unknown;
    try {
      parseSeed(text, '--seed');
    } catch (err) {
      caught = err;
    }
    expect(isUserError(caught)).toBe(true);
    expect((caught as Error).message).toBe(`--seed must be a whole number from 0 to 4294967295, got ${JSON.stringify(text)}`);
  });

  test('accepts every seed Rng tells apart, 0 and 2^32 − 1 included', () => {
    expect(parseSeed('0', '--seed')).toBe(0);
    expect(parseSeed(' 42 ', '--seed')).toBe(42);
    expect(parseSeed('4294967295', '--seed')).toBe(MAX_SEED);
    // Why the range: Rng keeps 32 bits, so 2^32 would silently be the same generator as 0.
    expect(new Rng(MAX_SEED + 1).nextUint32()).toBe(new Rng(0).nextUint32());
  });
});

describe('train.seed in a config or a --set', () => {
  test.each(['abc', "''", '1.5', '-1', '1e20', '4294967296'])('train.seed=%s is a config error naming the key', (value) => {
    const dir = tempConfigs({ 'x.yaml': 'model:\n  type: dense-ae\n  size: small\n  activation: relu\n' });
    const lines = errorLines(() => loadConfig(path.join(dir, 'x.yaml'), [`train.seed=${value}`]));
    expect(lines).toEqual([expect.stringMatching(/^--set train\.seed=.*: train\.seed must be an integer in \[0, 4294967295\], got /)]);
  });
});

describe('--seed on the command line (exit 2 before any work)', () => {
  test.each([
    ['synth', ['synth', 'never-written', '--seed', 'abc']],
    ['generate', ['generate', '-m', 'no-model', '--random', '2', '-o', 'never-written', '--seed', '1.5']],
    ['evaluate', ['evaluate', '-m', 'no-model', '-d', 'no-dataset', '--seed', '-1']],
  ])('%s', (_name, args) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^sampgen: --seed must be a whole number from 0 to 4294967295, got "(abc|1\.5|-1)"\n$/);
  });
});
