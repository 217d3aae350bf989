import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DatasetWriter, littleEndianBytes } from '../../src/preprocess/dataset-writer';
import { findWorkerScript, runOrdered } from '../../src/preprocess/pool';
import { FileJob, FileResult } from '../../src/preprocess/pipeline';
import { encodeWav } from '../../src/audio';
import { openDataset } from '../../src/data';

const entry = (p: string) => ({ path: p, output: p, sha256: 'ab', sample_rate: 8000, channels: 1, format: 'test', frames: 3, duration: 3 / 8000 });
const info = {
  version: 1,
  created_by: 'test',
  sample_rate: 8000,
  length: 3,
  attack: 1,
  parameters: { channel: 'first', sample_rate: 8000, attack: '1 samples', length: '3 samples', recursive: true, extensions: null },
  skipped: [{ path: 'bad.wav', reason: 'silent (peak 0)' }],
};

describe('DatasetWriter', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-writer-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('rows land in samples.f32 in the order added, little-endian; the folder appears only at finish', () => {
    const out = path.join(tmp, 'nested', 'ds');
    const w = new DatasetWriter(out, 3);
    expect(path.basename(w.tempDir).startsWith('.')).toBe(true);
    w.addRow(Float32Array.from([1, -2, 0.5]), entry('b.wav'));
    w.addRow(Float32Array.from([3, 4, 5]), entry('a.wav'));
    expect(() => w.addRow(new Float32Array(2), entry('c.wav'))).toThrow(/has 2 samples, expected 3/);
    expect(fs.existsSync(out)).toBe(false);
    w.finish(info);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['ds']);
    const bytes = fs.readFileSync(path.join(out, 'samples.f32'));
    // 1.0f = 0x3f800000, written low byte first
    expect([...bytes.subarray(0, 4)]).toEqual([0x00, 0x00, 0x80, 0x3f]);
    const ds = openDataset(out);
    expect(ds.info.files.map((f) => f.path)).toEqual(['b.wav', 'a.wav']);
    expect(ds.info.skipped).toEqual(info.skipped);
    expect(Array.from(ds.readRows([1, 0]))).toEqual([3, 4, 5, 1, -2, 0.5]);
    ds.close();
  });

  test('the dataset folder gets the permissions of a plain mkdir (readable by others under the usual umask)', () => {
    const out = path.join(tmp, 'ds');
    const w = new DatasetWriter(out, 3);
    w.addRow(Float32Array.from([1, 2, 3]), entry('a.wav'));
    w.finish(info);
    const plain = path.join(tmp, 'plain');
    fs.mkdirSync(plain);
    expect(fs.statSync(out).mode & 0o777).toBe(fs.statSync(plain).mode & 0o777);
  });

  test('abort leaves nothing behind', () => {
    const w = new DatasetWriter(path.join(tmp, 'ds'), 3);
    w.addRow(new Float32Array(3), entry('a.wav'));
    fs.writeFileSync(w.wavPath('a.wav'), 'x');
    w.abort();
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('littleEndianBytes is a view of the row on this (little-endian) host', () => {
    const row = Float32Array.from([0.25]);
    expect([...littleEndianBytes(row)]).toEqual([0x00, 0x00, 0x80, 0x3e]);
  });
});

describe('runOrdered', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-pool-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('worker threads deliver results in job order even with a window of one and uneven file sizes', async () => {
    const { script, reason } = findWorkerScript();
    expect(reason ?? '').toBe(''); // `npm test` builds dist/ first
    const jobs: FileJob[] = [];
    for (let i = 0; i < 9; i++) {
      // big and small files alternate so that workers finish out of order
      const n = i % 2 === 0 ? 40000 : 50;
      const x = new Float32Array(n);
      x[Math.floor(n / 3)] = (i + 1) / 10;
      const file = path.join(tmp, `f${i}.wav`);
      fs.writeFileSync(file, i === 4 ? 'garbage' : encodeWav(x, 48000, 'float32'));
      jobs.push({ index: i, absPath: file, params: { sampleRate: 48000, channel: 'first', attackSamples: 5, lengthSamples: 10 } });
    }
    for (const window of [1, 2, 64]) {
      const seen: FileResult[] = [];
      await runOrdered(jobs, { mode: 'threads', workers: 2, script }, (r) => seen.push(r), window);
      expect(seen.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(seen.map((r) => r.ok)).toEqual([true, true, true, true, false, true, true, true, true]);
      // at the file's own rate the peak value survives exactly and identifies the file (rows arrive as real
      // Float32Arrays through the transfer)
      seen.forEach((r, i) => {
        if (r.ok) expect(r.row[5]).toBe(Math.fround((i + 1) / 10));
      });
    }
  });

  test('an error thrown by the consumer stops the run and propagates', async () => {
    const { script } = findWorkerScript();
    const file = path.join(tmp, 'f0.wav');
    const jobs = [0, 1, 2].map((index) => ({ index, absPath: file, params: { sampleRate: 48000, channel: 'first' as const, attackSamples: 1, lengthSamples: 4 } }));
    await expect(
      runOrdered(jobs, { mode: 'threads', workers: 2, script }, (r) => {
        if (r.index === 1) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
  });
});
