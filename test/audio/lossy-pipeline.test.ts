import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { preprocessUpload, UnusableUpload } from '../../src/audition/upload';
import { openDataset, DatasetInfo } from '../../src/data';
import { isUserError } from '../../src/errors';
import { preprocessForModel } from '../../src/infer/encode';
import { ModelMetadata } from '../../src/export';
import { preprocessDataset } from '../../src/preprocess';
import { parseDuration } from '../../src/preprocess/duration';
import { silentProgress } from '../../src/progress';
import { fixture } from './lossy-fixtures';

/*
 * The lossy formats through the paths that read audio: `preprocess` (folders, --ext, skipped files with their
 * reason), `encode`'s preprocessing (a UserError naming the file) and the audition upload, with the channel rule.
 */

/** Amplitude of the `f` Hz component of x[from, from + n) (one DFT coefficient, Hann window). */
function toneAmplitude(x: Float32Array, rate: number, f: number, from: number, n: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    re += w * x[from + i]! * Math.cos((2 * Math.PI * f * i) / rate);
    im -= w * x[from + i]! * Math.sin((2 * Math.PI * f * i) / rate);
  }
  return (4 * Math.hypot(re, im)) / n;
}

function argmaxAbs(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (Math.abs(x[i]!) > Math.abs(x[best]!)) best = i;
  return best;
}

const RATE = 44100;
const ATTACK = 4410; // 0.1 s: the click's place in the fixtures
const LENGTH = 8820;
const chain = (channel: 'first' | 'mix'): Pick<ModelMetadata, 'preprocess' | 'length'> => ({
  preprocess: { channel, attack: ATTACK, length: LENGTH, sample_rate: RATE },
  length: LENGTH,
});

describe('lossy files in a dataset', () => {
  let tmp: string;
  let lib: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-lossy-pipe-'));
    lib = path.join(tmp, 'lib');
    fs.mkdirSync(lib);
    const put = (name: string, bytes: Uint8Array) => fs.writeFileSync(path.join(lib, name), bytes);
    put('kick.mp3', fixture('mono-44k.mp3'));
    put('snare.ogg', fixture('stereo-48k.ogg'));
    put('hat.opus', fixture('mono-44k.opus'));
    put('tom.wav', fixture('stereo-48k.opus')); // an Opus file named .wav: the bytes decide
    put('cut.ogg', fixture('mono-44k.ogg').subarray(0, 200));
    const flipped = Uint8Array.from(fixture('stereo-48k.opus'));
    flipped[1000] ^= 0x01;
    put('damaged.opus', flipped);
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('preprocess reads them; a cut or damaged one is skipped with its reason; every row has its peak at the attack', async () => {
    const out = path.join(tmp, 'ds');
    const s = await preprocessDataset({
      inputs: [lib],
      output: out,
      sampleRate: RATE,
      channel: 'mix',
      attack: parseDuration('0.1', '--attack'),
      length: parseDuration('0.2', '--length'),
      recursive: true,
      jobs: 1,
      force: false,
      progress: silentProgress,
    });
    expect(s).toMatchObject({ count: 4, found: 6, ignored: 0, attack: ATTACK, length: LENGTH });
    expect(s.skipped).toEqual([
      { path: 'cut.ogg', reason: 'truncated file: the Ogg Vorbis stream ends inside its headers (1 of 3 header packets)' },
      { path: 'damaged.opus', reason: expect.stringMatching(/^corrupt Ogg data: page 3 \(byte 841\) fails its checksum \(CRC\)$/) },
    ]);
    const info = JSON.parse(fs.readFileSync(path.join(out, 'dataset.json'), 'utf8')) as DatasetInfo;
    expect(info.files.map((f) => [f.path, f.format, f.sample_rate, f.channels, f.frames])).toEqual([
      ['hat.opus', 'Ogg Opus', 48000, 1, 9600],
      ['kick.mp3', 'MP3 (MPEG-1 Layer III)', 44100, 1, 8820],
      ['snare.ogg', 'Ogg Vorbis', 48000, 2, 9600],
      ['tom.wav', 'Ogg Opus', 48000, 2, 9600],
    ]);
    const ds = openDataset(out);
    const rows = ds.readRows([0, 1, 2, 3]);
    for (let r = 0; r < 4; r++) expect(argmaxAbs(rows.subarray(r * LENGTH, (r + 1) * LENGTH))).toBe(ATTACK);
    ds.close();
  });

  test('--ext opus reads only the .opus files', async () => {
    const s = await preprocessDataset({
      inputs: [lib],
      output: path.join(tmp, 'ds-opus'),
      sampleRate: RATE,
      channel: 'first',
      attack: parseDuration('0.1', '--attack'),
      length: parseDuration('0.2', '--length'),
      recursive: true,
      extensions: ['opus'],
      jobs: 1,
      force: false,
      progress: silentProgress,
    });
    expect(s).toMatchObject({ count: 1, found: 2, ignored: 4 });
  });

  test("encode's preprocessing: a file it cannot read is a UserError naming the file", async () => {
    const meta = chain('first') as ModelMetadata;
    const row = await preprocessForModel(path.join(lib, 'hat.opus'), meta);
    expect(row).toHaveLength(LENGTH);
    expect(argmaxAbs(row)).toBe(ATTACK);
    const file = path.join(lib, 'cut.ogg');
    const err = await preprocessForModel(file, meta).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toBe(`${file}: truncated file: the Ogg Vorbis stream ends inside its headers (1 of 3 header packets)`);
  });
});

describe('the audition upload', () => {
  test.each(['stereo-48k.opus', 'stereo-48k.ogg', 'stereo-48k.mp3'])('%s: the channel rule holds (first: the left sine alone; mix: both)', async (name) => {
    const first = await preprocessUpload(fixture(name), chain('first'));
    const mix = await preprocessUpload(fixture(name), chain('mix'));
    // 'first' decodes only the left channel.
    expect(first.decodedSamples).toBe(9600);
    expect(mix.decodedSamples).toBe(2 * 9600);
    for (const { row } of [first, mix]) {
      expect(row).toHaveLength(LENGTH);
      expect(argmaxAbs(row)).toBe(ATTACK);
    }
    // Before the click: the left sine (440 Hz, 0.3) in both; the right one (660 Hz) only in the mix, at half.
    const [from, n] = [441, 3528]; // 0.01 s to 0.09 s
    expect(toneAmplitude(first.row, RATE, 440, from, n)).toBeCloseTo(0.3, 1);
    expect(toneAmplitude(first.row, RATE, 660, from, n)).toBeLessThan(0.01);
    expect(toneAmplitude(mix.row, RATE, 440, from, n)).toBeCloseTo(0.15, 1);
    expect(toneAmplitude(mix.row, RATE, 660, from, n)).toBeCloseTo(0.15, 1);
  });

  test('a damaged upload is refused with the reason', async () => {
    const err = await preprocessUpload(fixture('mono-44k.ogg').subarray(0, 200), chain('first')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnusableUpload);
    expect((err as Error).message).toBe('truncated file: the Ogg Vorbis stream ends inside its headers (1 of 3 header packets)');
  });
});
