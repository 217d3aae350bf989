import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readAudioFile } from '../../src/audio';
import { isUserError } from '../../src/errors';
import { Progress, silentProgress } from '../../src/progress';
import { synthesizeSet, writeSynthSet } from '../../src/synth';
import { main } from '../../src/cli/main';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-synth-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const opts = { kind: 'hat' as const, count: 4, seed: 9, format: 'pcm24' as const, force: false };

describe('writeSynthSet', () => {
  test('writes WAV files that decode to the synthesized samples, and reports progress', async () => {
    const out = path.join(dir, 'hats');
    const calls: string[] = [];
    const progress: Progress = {
      ...silentProgress,
      start: (total) => void calls.push(`start ${total}`),
      increment: () => void calls.push('inc'),
      stop: () => void calls.push('stop'),
    };
    const summary = await writeSynthSet({ ...opts, out, progress });
    expect(summary.files).toEqual(['hat-0001.wav', 'hat-0002.wav', 'hat-0003.wav', 'hat-0004.wav']);
    expect(summary.out).toBe(out);
    expect(fs.readdirSync(out).sort()).toEqual(summary.files);
    expect(calls).toEqual(['start 4', 'inc', 'inc', 'inc', 'inc', 'stop']);
    const expected = [...synthesizeSet(opts)];
    expect(Object.values(summary.sampleRates).reduce((a, b) => a + b, 0)).toBe(4);
    expect(summary.stereo).toBe(expected.filter((f) => f.channels.length === 2).length);
    for (const f of expected) {
      const decoded = await readAudioFile(path.join(out, f.name));
      expect(decoded.sampleRate).toBe(f.sampleRate);
      expect(decoded.channels.length).toBe(f.channels.length);
      let err = 0;
      f.channels.forEach((ch, c) => ch.forEach((v, i) => (err = Math.max(err, Math.abs(v - decoded.channels[c]![i]!)))));
      // 24-bit PCM: within half an LSB.
      expect(err).toBeLessThanOrEqual(0.5 / 2 ** 23 + 1e-9);
    }
  });

  test('refuses a non-empty folder without force; with force replaces its own older files only', async () => {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'keep me');
    fs.writeFileSync(path.join(dir, 'hat-0007.wav'), 'stale');
    const err = await writeSynthSet({ ...opts, out: dir }).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/not empty.*--force/);
    await writeSynthSet({ ...opts, count: 2, out: dir, force: true });
    expect(fs.readdirSync(dir).sort()).toEqual(['hat-0001.wav', 'hat-0002.wav', 'notes.txt']);
  });

  test('rejects a bad count, kind, seed or a file as output with a message naming the field', async () => {
    const cases: [object, RegExp][] = [
      [{ count: 0 }, /count.*0/],
      [{ count: 2.5 }, /count.*2\.5/],
      [{ kind: 'tom' }, /kind.*snare, kick, hat.*tom/],
      [{ seed: -1 }, /seed.*-1/],
      [{ format: 'mp3' }, /format.*mp3/],
    ];
    for (const [bad, message] of cases) {
      const err = await writeSynthSet({ ...opts, out: path.join(dir, 'x'), ...bad } as never).catch((e: unknown) => e);
      expect(isUserError(err)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
    const file = path.join(dir, 'file.wav');
    fs.writeFileSync(file, '');
    await expect(writeSynthSet({ ...opts, out: file })).rejects.toThrow(/not a folder/);
  });
});

describe('sampgen synth (in-process)', () => {
  let stdout: string;
  let stderr: string;
  beforeEach(() => {
    stdout = '';
    stderr = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  });
  afterEach(() => jest.restoreAllMocks());

  test('--json prints the summary and writes the files', async () => {
    const out = path.join(dir, 'kicks');
    const code = await main(['node', 'sampgen', '--json', 'synth', '--kind', 'kick', '--count', '2', '--seed', '3', '--format', 'pcm16', out]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ kind: 'kick', count: 2, seed: 3, format: 'pcm16', out, files: ['kick-0001.wav', 'kick-0002.wav'] });
    expect(fs.readdirSync(out).sort()).toEqual(['kick-0001.wav', 'kick-0002.wav']);
  });

  test('bad --count, bad --kind and a non-empty folder exit 2 with a clear message', async () => {
    expect(await main(['node', 'sampgen', 'synth', '--count', '0', path.join(dir, 'a')])).toBe(2);
    expect(stderr).toMatch(/--count: expected a whole number ≥ 1/);
    expect(await main(['node', 'sampgen', 'synth', '--kind', 'tom', path.join(dir, 'b')])).toBe(2);
    expect(stderr).toMatch(/tom.*snare, kick, hat/);
    fs.writeFileSync(path.join(dir, 'x.txt'), '');
    expect(await main(['node', 'sampgen', '--quiet', 'synth', '--count', '1', dir])).toBe(2);
    expect(stderr).toMatch(/not empty/);
  });
});
