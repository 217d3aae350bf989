import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeWav, readAudioFile } from '../../src/audio';

// Spawns the built CLI (`npm test` builds dist/ first).
const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');

function sampgen(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('sampgen preprocess / resample (CLI)', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-cli-'));
    const x = new Float32Array(4000);
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin(i / 7) * Math.exp(-i / 900);
    fs.mkdirSync(path.join(tmp, 'in', 'kit'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'in', 'kit', 'a.wav'), encodeWav(x, 48000, 'pcm16'));
    fs.writeFileSync(path.join(tmp, 'in', 'b.wav'), encodeWav([x, x], 44100, 'float32'));
    fs.writeFileSync(path.join(tmp, 'in', 'junk.wav'), 'not audio');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('--json summary, exit 0; then exit 2 for an existing output without --force', () => {
    const out = path.join(tmp, 'ds');
    const r = sampgen(['--json', 'preprocess', path.join(tmp, 'in'), out, '--length', '2048s', '--attack', '5ms', '--jobs', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ count: 2, length: 2048, attack: 221, sampleRate: 44100 });
    expect(summary.skipped).toEqual([{ path: 'junk.wav', reason: expect.any(String) }]);
    expect(fs.statSync(path.join(out, 'samples.f32')).size).toBe(2 * 2048 * 4);

    const again = sampgen(['preprocess', path.join(tmp, 'in'), out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists.*--force/);
  });

  test('folders are read recursively by default and with --recursive; --no-recursive reads only the top level', () => {
    const count = (flags: string[], name: string) => {
      const r = sampgen(['--json', 'preprocess', path.join(tmp, 'in'), path.join(tmp, name), '--length', '2048s', '--attack', '5ms', ...flags]);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout).count;
    };
    expect(count([], 'rec-default')).toBe(2);
    expect(count(['--recursive'], 'rec-on')).toBe(2);
    expect(count(['--no-recursive'], 'rec-off')).toBe(1); // kit/a.wav is left out
  });

  test('exit 2 with a clear message for a missing input and for a bad option value', () => {
    const missing = sampgen(['preprocess', path.join(tmp, 'nope'), path.join(tmp, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope does not exist/);
    const bad = sampgen(['preprocess', path.join(tmp, 'in'), path.join(tmp, 'y'), '--length', '0.5s']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--length: invalid duration '0\.5s'/);
  });

  test('resample writes float32 WAVs at the new rate, keeping every channel', async () => {
    const out = path.join(tmp, 'rs');
    const r = sampgen(['resample', path.join(tmp, 'in'), '--out', out, '--sample-rate', '22050', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/resample: wrote 2 files/);
    expect(r.stdout).toMatch(/junk\.wav: /);
    const b = await readAudioFile(path.join(out, 'b.wav'));
    expect(b.sampleRate).toBe(22050);
    expect(b.channels).toHaveLength(2);
    expect(b.channels[0]!.length).toBe(2000); // ceil(4000 · 22050/44100)
    const a = await readAudioFile(path.join(out, 'kit', 'a.wav'));
    expect(a.channels[0]!.length).toBe(1838); // ceil(4000 · 22050/48000)
  });
});
