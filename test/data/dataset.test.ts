import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openDataset, splitIndices, batches, batchCount, DatasetInfo } from '../../src/data';
import { isUserError } from '../../src/errors';
import { Rng } from '../../src/util/rng';

/** A dataset folder written by hand (independently of the writer): row r holds r*1000 + i. */
function writeDataset(dir: string, count: number, length: number, patch: Partial<DatasetInfo> = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  const data = new Float32Array(count * length);
  for (let r = 0; r < count; r++) for (let i = 0; i < length; i++) data[r * length + i] = r * 1000 + i;
  fs.writeFileSync(path.join(dir, 'samples.f32'), Buffer.from(data.buffer));
  const info: DatasetInfo = {
    version: 1,
    created_by: 'test',
    sample_rate: 8000,
    length,
    count,
    attack: 2,
    parameters: { channel: 'first', sample_rate: 8000, attack: '2 samples', length: `${length} samples`, recursive: true, extensions: null },
    files: Array.from({ length: count }, (_, r) => ({
      path: `f${r}.wav`,
      output: `f${r}.wav`,
      sha256: '0'.repeat(64),
      sample_rate: 8000,
      channels: 1,
      format: 'wav',
      frames: length,
      duration: length / 8000,
    })),
    skipped: [],
    ...patch,
  };
  fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify(info));
}

function expectUserError(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(isUserError(caught)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

describe('openDataset', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-data-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('reads exactly the rows asked for, in the order asked', () => {
    const dir = path.join(tmp, 'ds');
    writeDataset(dir, 5, 6);
    const ds = openDataset(dir);
    expect([ds.count, ds.length, ds.sampleRate]).toEqual([5, 6, 8000]);
    const rows = ds.readRows([4, 0, 4]);
    expect(Array.from(rows)).toEqual([4000, 4001, 4002, 4003, 4004, 4005, 0, 1, 2, 3, 4, 5, 4000, 4001, 4002, 4003, 4004, 4005]);
    // Into a caller's buffer (and a view with an offset into a larger one).
    const big = new Float32Array(20).fill(-1);
    const view = big.subarray(2, 14);
    expect(ds.readRows(Int32Array.from([2, 1]), view)).toBe(view);
    expect(Array.from(big.subarray(0, 2))).toEqual([-1, -1]);
    expect(Array.from(view)).toEqual([2000, 2001, 2002, 2003, 2004, 2005, 1000, 1001, 1002, 1003, 1004, 1005]);
    expect(Array.from(big.subarray(14))).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(() => ds.readRows([5])).toThrow(/outside 0..4/);
    expect(() => ds.readRows([0, 1], new Float32Array(11))).toThrow(/holds 11 samples/);
    ds.close();
    expect(() => ds.readRows([0])).toThrow(/closed/);
  });

  test('missing folder, missing dataset.json, unknown version, truncated samples: clear UserErrors', () => {
    expectUserError(() => openDataset(path.join(tmp, 'nope')), /nope does not exist/);
    fs.mkdirSync(path.join(tmp, 'empty'));
    expectUserError(() => openDataset(path.join(tmp, 'empty')), /empty[/\\]dataset\.json is missing/);

    writeDataset(path.join(tmp, 'v9'), 2, 4, { version: 9 });
    expectUserError(() => openDataset(path.join(tmp, 'v9')), /version 9 is not supported/);

    const cut = path.join(tmp, 'cut');
    writeDataset(cut, 3, 4);
    fs.truncateSync(path.join(cut, 'samples.f32'), 3 * 4 * 4 - 2);
    expectUserError(() => openDataset(cut), /samples\.f32 is truncated\/corrupt: 46 bytes.*48 bytes/);

    const wrongCount = path.join(tmp, 'count');
    writeDataset(wrongCount, 3, 4, { count: 2 });
    expectUserError(() => openDataset(wrongCount), /"count" is 2 but "files" lists 3/);

    fs.mkdirSync(path.join(tmp, 'bad'));
    fs.writeFileSync(path.join(tmp, 'bad', 'dataset.json'), '{ not json');
    expectUserError(() => openDataset(path.join(tmp, 'bad')), /not valid JSON/);
  });
});

describe('splitIndices', () => {
  test('a partition of 0..count-1, sorted, reproducible for a seed, different for another', () => {
    const a = splitIndices(100, 0.2, new Rng(7));
    expect(a.validation.length).toBe(20);
    expect(a.train.length).toBe(80);
    const all = [...a.train, ...a.validation].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a.train]).toEqual([...a.train].sort((x, y) => x - y));
    const again = splitIndices(100, 0.2, new Rng(7));
    expect([...again.validation]).toEqual([...a.validation]);
    expect([...splitIndices(100, 0.2, new Rng(8)).validation]).not.toEqual([...a.validation]);
  });

  test('edge fractions', () => {
    expect(splitIndices(10, 0, new Rng(1)).validation.length).toBe(0);
    expect(splitIndices(3, 0.01, new Rng(1)).validation.length).toBe(1); // a positive fraction gets one row
    expect(splitIndices(2, 0.9, new Rng(1)).train.length).toBe(1); // and training keeps one
    expect(() => splitIndices(10, 1, new Rng(1))).toThrow(/validation fraction/);
    expect(() => splitIndices(10, -0.1, new Rng(1))).toThrow(/validation fraction/);
  });
});

describe('batches', () => {
  test('in order without an rng; the last batch is smaller unless dropped', () => {
    const got = [...batches([5, 6, 7, 8, 9], 2, null)].map((b) => [...b]);
    expect(got).toEqual([[5, 6], [7, 8], [9]]);
    expect([...batches([5, 6, 7, 8, 9], 2, null, { dropRemainder: true })].map((b) => [...b])).toEqual([[5, 6], [7, 8]]);
    expect(batchCount(5, 2)).toBe(3);
    expect(batchCount(5, 2, true)).toBe(2);
    expect(() => [...batches([1], 0, null)]).toThrow(/batch size/);
  });

  test('shuffled per epoch: every index once per epoch, a new order each epoch, same sequence for the same seed', () => {
    const idx = Array.from({ length: 50 }, (_, i) => i * 2);
    const epochs = (seed: number) => {
      const rng = new Rng(seed);
      return [0, 1, 2].map(() => [...batches(idx, 8, rng)].flatMap((b) => [...b]));
    };
    const e = epochs(3);
    for (const order of e) expect([...order].sort((a, b) => a - b)).toEqual(idx);
    expect(e[0]).not.toEqual(e[1]);
    expect(e[0]).not.toEqual(idx);
    expect(epochs(3)).toEqual(e);
  });
});
