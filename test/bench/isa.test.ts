import { spawnSync } from 'child_process';
import * as path from 'path';
import { loadNative } from '../../src/backend';

// bench:isa as a user runs it (`npm run bench:isa -- …` runs dist/bench/isa.js; `npm test` builds first): bad input
// is refused before any model is built, with a message naming the option and the value, exit 2 and no stack trace.
const SCRIPT = path.join(__dirname, '..', '..', 'dist', 'bench', 'isa.js');
const run = (args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 60000 });

describe('bench:isa', () => {
  test('--help explains the options', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const option of ['--models', '--steps', '--repeats', '--isas', '--json']) expect(r.stdout).toContain(option);
  });

  test.each([
    [['--steps', '0'], /^bench:isa: --steps must be a positive integer, got "0"$/m],
    [['--repeats', 'many'], /^bench:isa: --repeats must be a positive integer, got "many"$/m],
    [['--models', 'dense-small,dense-huge'], /^bench:isa: --models: unknown model "dense-huge"; choose from dense-small, /m],
  ])('%j exits 2 naming the option and the value', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('an instruction set this CPU lacks exits 2 naming it and the ones it has (or why the addon is missing)', () => {
    const r = run(['--isas', 'pentium', '--models', 'dense-small']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(loadNative().ok ? /^bench:isa: --isas: this CPU cannot run "pentium"; it has base/m : /^bench:isa: bench:isa compares the native kernels' instruction sets/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
