import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { preprocessDataset, PreprocessOptions, runStep } from '../../src/preprocess';
import { findWorkerScript } from '../../src/preprocess/pool';
import { parseDuration } from '../../src/preprocess/duration';
import { encodeWav, readAudioFile } from '../../src/audio';
import { openDataset, DatasetInfo } from '../../src/data';
import { isUserError } from '../../src/errors';
import { silentProgress } from '../../src/progress';

/** A one-shot: a quiet 300 Hz tone from `start`, with one spike of 0.9 at `peakAt` (so the peak is known). */
function oneShot(n: number, rate: number, start: number, peakAt: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = start; i < n; i++) x[i] = 0.3 * Math.exp(-(i - start) / (0.02 * rate)) * Math.sin((2 * Math.PI * 300 * (i - start)) / rate);
  x[peakAt] = 0.9;
  return x;
}

function write(root: string, rel: string, data: Uint8Array | string): string {
  const p = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}

/** Index of the first largest absolute value, written out here (not imported) as the reference. */
function argmaxAbs(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]!) > Math.abs(x[best]!)) best = i;
  return best;
}

async function expectUserError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(isUserError(caught)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else out.push(path.relative(dir, path.join(d, e.name)).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

const RATE = 16000;
const ATTACK = 160; // 0.01 s at 16 kHz
const LENGTH = 800; // 0.05 s

describe('preprocessDataset', () => {
  let tmp: string;
  let lib: string;
  const opts = (over: Partial<PreprocessOptions> = {}): PreprocessOptions => ({
    inputs: [lib],
    output: path.join(tmp, 'ds'),
    sampleRate: RATE,
    channel: 'first',
    attack: parseDuration('0.01', '--attack'),
    length: parseDuration('0.05', '--length'),
    recursive: true,
    jobs: 1,
    force: false,
    progress: silentProgress,
    ...over,
  });

  // at the target rate with the peak already at the attack index: the row must be the input itself
  const exact = oneShot(1200, RATE, 100, ATTACK);
  // stereo: right = half the left (mix = 0.75 × left)
  const left = oneShot(2000, 22050, 50, 900);
  const right = left.map((v) => v * 0.5);

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-pipe-'));
    lib = path.join(tmp, 'lib');
    write(lib, 'kicks/exact.wav', encodeWav(exact, RATE, 'float32'));
    write(lib, 'kicks/late48k.wav', encodeWav(oneShot(6000, 48000, 0, 4000), 48000, 'pcm24'));
    write(lib, 'snares/stereo.wav', encodeWav([left, right], 22050, 'pcm16'));
    write(lib, 'short.wav', encodeWav(oneShot(40, 44100, 0, 3), 44100, 'float32')); // early peak: zero padded
    write(lib, 'readme.txt', 'not audio');
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('rows of the right length with the peak exactly at the attack index, WAVs mirroring the folders', async () => {
    const s = await preprocessDataset(opts());
    expect(s).toMatchObject({ count: 4, found: 4, skipped: [], ignored: 1, sampleRate: RATE, length: LENGTH, attack: ATTACK });
    const out = path.join(tmp, 'ds');
    expect(listFiles(out)).toEqual(['dataset.json', 'kicks/exact.wav', 'kicks/late48k.wav', 'samples.f32', 'short.wav', 'snares/stereo.wav']);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('.'))).toEqual([]); // no temp folder left behind

    const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')) as DatasetInfo;
    expect(info).toMatchObject({
      version: 2,
      labels: { source: 'auto' },
      sample_rate: RATE,
      length: LENGTH,
      count: 4,
      attack: ATTACK,
      parameters: { channel: 'first', sample_rate: RATE, attack: '0.01 sec', length: '0.05 sec', recursive: true, extensions: null },
      skipped: [],
    });
    expect(info.files.map((f) => [f.path, f.output, f.sample_rate, f.channels, f.frames, f.class])).toEqual([
      ['kicks/exact.wav', 'kicks/exact.wav', RATE, 1, 1200, 'kick'],
      ['kicks/late48k.wav', 'kicks/late48k.wav', 48000, 1, 6000, 'kick'],
      ['short.wav', 'short.wav', 44100, 1, 40, 'unknown'],
      ['snares/stereo.wav', 'snares/stereo.wav', 22050, 2, 2000, 'snare'],
    ]);
    for (const f of info.files) {
      const bytes = fs.readFileSync(path.join(lib, ...f.path.split('/')));
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(f.duration).toBeCloseTo(f.frames / f.sample_rate, 12);
      expect(typeof f.format).toBe('string');
    }

    expect(fs.statSync(path.join(out, 'samples.f32')).size).toBe(4 * LENGTH * 4);
    const ds = openDataset(out);
    const rows = ds.readRows([0, 1, 2, 3]);
    for (let r = 0; r < 4; r++) {
      const row = rows.subarray(r * LENGTH, (r + 1) * LENGTH);
      expect(argmaxAbs(row)).toBe(ATTACK);
      // the per-file WAV holds the same float32 values as the packed row
      const wav = await readAudioFile(path.join(out, ...info.files[r]!.output.split('/')));
      expect(wav.sampleRate).toBe(RATE);
      expect(wav.channels).toHaveLength(1);
      expect(Buffer.from(wav.channels[0]!.buffer, wav.channels[0]!.byteOffset, LENGTH * 4).equals(Buffer.from(row.buffer, row.byteOffset, LENGTH * 4))).toBe(true);
    }
    ds.close();
    // no-op resampling and a peak already in place: the row is the input, bit for bit, cut to LENGTH
    expect(Array.from(rows.subarray(0, LENGTH))).toEqual(Array.from(exact.subarray(0, LENGTH)));
    // a 40-sample file at 44.1 kHz becomes ceil(40·16000/44100) = 15 samples, padded: zeros after the attack+15 region
    const short = rows.subarray(2 * LENGTH, 3 * LENGTH);
    expect(Array.from(short.subarray(ATTACK + 15))).toEqual(new Array(LENGTH - ATTACK - 15).fill(0));
  });

  test('--channel mix averages the channels; first keeps the left', async () => {
    const stereo = path.join(lib, 'snares', 'stereo.wav');
    await preprocessDataset(opts({ inputs: [stereo], output: path.join(tmp, 'first'), sampleRate: 22050 }));
    await preprocessDataset(opts({ inputs: [stereo], output: path.join(tmp, 'mix'), sampleRate: 22050, channel: 'mix' }));
    const first = openDataset(path.join(tmp, 'first'));
    const mix = openDataset(path.join(tmp, 'mix'));
    expect(mix.info.parameters.channel).toBe('mix');
    const a = first.readRows([0]);
    const b = mix.readRows([0]);
    // pcm16 decoding is exact (k/32768), so mix = (l + l/2)/2 up to float32 rounding of the stored right channel
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(0.75 * a[i]!, 4);
    expect(argmaxAbs(a)).toBe(221); // 0.01 s at 22050 Hz, rounded
    first.close();
    mix.close();
  });

  test('identical bytes whatever --jobs (worker threads vs in-process)', async () => {
    // more files than workers so that results arrive out of order
    for (let k = 0; k < 12; k++) write(lib, `many/f${k}.wav`, encodeWav(oneShot(3000 + 500 * (k % 5), 44100, 10 * k, 400 + 97 * k), 44100, 'pcm16'));
    write(lib, 'many/bad.wav', 'garbage');
    const script = findWorkerScript();
    expect(script.reason ?? '').toBe(''); // `npm test` builds dist/ first; run `npm run build` before jest alone
    const one = await preprocessDataset(opts({ output: path.join(tmp, 'j1'), jobs: 1 }));
    const two = await preprocessDataset(opts({ output: path.join(tmp, 'j2'), jobs: 2 }));
    const three = await preprocessDataset(opts({ output: path.join(tmp, 'j3'), jobs: 3 }));
    expect(one.mode).toBe('in-process');
    expect(two.mode).toBe('threads');
    expect(three.jobs).toBe(3);
    const files = listFiles(path.join(tmp, 'j1'));
    expect(files).toHaveLength(18); // 16 WAVs (the garbage file is skipped) + dataset.json + samples.f32
    for (const other of ['j2', 'j3']) {
      expect(listFiles(path.join(tmp, other))).toEqual(files);
      for (const f of files) {
        expect(fs.readFileSync(path.join(tmp, other, f)).equals(fs.readFileSync(path.join(tmp, 'j1', f)))).toBe(true);
      }
    }
  });

  test('every kind of bad file is skipped with its reason, in the summary and in dataset.json', async () => {
    const good = fs.readFileSync(path.join(lib, 'kicks', 'exact.wav'));
    const nan = oneShot(500, RATE, 0, 100);
    nan[300] = NaN;
    const bad: Record<string, Uint8Array | string> = {
      'bad/garbage.wav': 'this is a text file with a .wav name, not audio at all',
      'bad/truncated.wav': good.subarray(0, 30),
      'bad/empty.wav': new Uint8Array(0),
      'bad/zero-frames.wav': encodeWav(new Float32Array(0), RATE, 'float32'),
      'bad/silent.wav': encodeWav(new Float32Array(500), RATE, 'pcm16'),
      'bad/nan.wav': encodeWav(nan, RATE, 'float32'),
      'bad/fake.flac': 'fLaC but not really',
    };
    for (const [rel, data] of Object.entries(bad)) write(lib, rel, data);
    const s = await preprocessDataset(opts());
    expect(s.count).toBe(4);
    const reasons = Object.fromEntries(s.skipped.map((k) => [k.path, k.reason]));
    expect(Object.keys(reasons).sort()).toEqual(Object.keys(bad).sort());
    for (const r of Object.values(reasons)) expect(r.length).toBeGreaterThan(5);
    expect(reasons['bad/empty.wav']).toMatch(/empty file/);
    expect(reasons['bad/silent.wav']).toMatch(/silent/);
    expect(reasons['bad/nan.wav']).toMatch(/NaN or Inf.*300/);
    expect(reasons['bad/zero-frames.wav']).toMatch(/no samples|empty|zero/i);
    const info = JSON.parse(fs.readFileSync(path.join(tmp, 'ds', 'dataset.json'), 'utf8')) as DatasetInfo;
    expect(info.skipped).toEqual(s.skipped);
    expect(info.files.map((f) => f.path)).not.toContain('bad/nan.wav');
    expect(fs.existsSync(path.join(tmp, 'ds', 'bad'))).toBe(false);
  });

  test('a file that cannot be read is skipped with the reason', async () => {
    const { processFile } = await import('../../src/preprocess/pipeline');
    // A folder in place of a file fails to read for every user, root included (EISDIR).
    const r = await processFile({ index: 0, absPath: lib, params: { sampleRate: RATE, channel: 'first', attackSamples: 1, lengthSamples: 4 } });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^unreadable: .*EISDIR/) });
  });

  test('missing or empty input, or no usable file: a UserError and no output', async () => {
    await expectUserError(preprocessDataset(opts({ inputs: [path.join(tmp, 'nope')] })), /input .*nope does not exist/);
    fs.mkdirSync(path.join(tmp, 'empty'));
    write(tmp, 'empty/notes.txt', 'x');
    await expectUserError(preprocessDataset(opts({ inputs: [path.join(tmp, 'empty')] })), /no audio file in a supported format found in .*empty \(1 other file passed over\)/);
    write(tmp, 'allbad/a.wav', 'junk');
    write(tmp, 'allbad/b.wav', encodeWav(new Float32Array(10), RATE, 'pcm16'));
    await expectUserError(preprocessDataset(opts({ inputs: [path.join(tmp, 'allbad')] })), /no usable audio file: all 2 found were skipped:\n {2}a\.wav: .*\n {2}b\.wav: silent/);
    expect(fs.existsSync(path.join(tmp, 'ds'))).toBe(false);
    expect(fs.readdirSync(tmp).filter((n) => n.startsWith('.'))).toEqual([]);
    await expectUserError(preprocessDataset(opts({ attack: parseDuration('800s', '--attack') })), /--attack .*800 samples.*must lie inside --length/);
  });

  test('an existing output needs --force, and --force replaces only a dataset folder', async () => {
    const out = path.join(tmp, 'ds');
    await preprocessDataset(opts());
    await expectUserError(preprocessDataset(opts()), /already exists.*--force/);
    fs.rmSync(path.join(lib, 'short.wav'));
    const s = await preprocessDataset(opts({ force: true }));
    expect(s.count).toBe(3);
    expect(fs.existsSync(path.join(out, 'short.wav'))).toBe(false); // the old folder is gone, not merged
    expect(openDataset(out).count).toBe(3);

    const precious = path.join(tmp, 'precious');
    write(precious, 'thesis.txt', 'do not delete');
    await expectUserError(preprocessDataset(opts({ output: precious, force: true })), /does not look like a sampgen dataset/);
    expect(fs.existsSync(path.join(precious, 'thesis.txt'))).toBe(true);
    await expectUserError(preprocessDataset(opts({ inputs: [path.join(out, 'kicks')], output: out, force: true })), /lies inside the output folder/);
  });

  test('an output folder inside the input folder is never read back', async () => {
    const out = path.join(lib, 'dataset');
    const first = await preprocessDataset(opts({ output: out }));
    const again = await preprocessDataset(opts({ output: out, force: true }));
    expect(first.count).toBe(4);
    expect(again.count).toBe(4);
    expect(again.ignored).toBe(1);
    expect(openDataset(out).info.files.every((f) => !f.path.startsWith('dataset/'))).toBe(true);
  });
});

describe('runStep', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-step-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const base = { recursive: true, force: false, progress: silentProgress };

  test('peak-align keeps the rate and puts the peak at the attack; trim keeps every channel', async () => {
    const x = oneShot(3000, 8000, 0, 1234);
    // an anti-phase pair: its mix is silent, yet trim --channel all must keep it
    write(tmp, 'in/k/a.wav', encodeWav([x, x.map((v) => -v)], 8000, 'float32'));
    write(tmp, 'in/silent.wav', encodeWav(new Float32Array(100), 8000, 'pcm16'));
    const aligned = await runStep({ ...base, step: 'peak-align', inputs: [path.join(tmp, 'in')], output: path.join(tmp, 'pa'), channel: 'first', attack: parseDuration('10ms', '--attack') });
    expect(aligned.written).toEqual([{ path: 'k/a.wav', output: 'k/a.wav', sample_rate: 8000, channels: 1, frames: 3000 - 1234 + 80 }]);
    expect(aligned.skipped).toEqual([{ path: 'silent.wav', reason: 'silent (peak 0)' }]);
    const pa = await readAudioFile(path.join(tmp, 'pa', 'k', 'a.wav'));
    expect(argmaxAbs(pa.channels[0]!)).toBe(80);
    expect(Array.from(pa.channels[0]!.subarray(80))).toEqual(Array.from(x.subarray(1234)));

    const trimmed = await runStep({ ...base, step: 'trim', inputs: [path.join(tmp, 'in', 'k')], output: path.join(tmp, 'tr'), channel: 'all', length: parseDuration('4000s', '--length') });
    expect(trimmed.written[0]).toMatchObject({ channels: 2, frames: 4000 });
    const tr = await readAudioFile(path.join(tmp, 'tr', 'a.wav'));
    expect(Array.from(tr.channels[1]!.subarray(0, 3000))).toEqual(Array.from(x.map((v) => -v)));
    expect(Array.from(tr.channels[1]!.subarray(3000))).toEqual(new Array(1000).fill(0));

    await expectUserError(runStep({ ...base, step: 'trim', inputs: [path.join(tmp, 'in', 'k')], output: path.join(tmp, 'tr'), channel: 'all', length: parseDuration('10s', '--length') }), /tr[/\\]a\.wav already exists; pass --force/);
    await expectUserError(runStep({ ...base, step: 'peak-align', inputs: [path.join(tmp, 'in')], output: path.join(tmp, 'x'), channel: 'all', attack: parseDuration('1', '--attack') }), /--channel first or --channel mix/);
  });
});

