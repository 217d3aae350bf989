import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError, errorMessage } from '../errors';
import { BYTES_PER_SAMPLE, DATASET_JSON, DATASET_VERSIONS_READ, DatasetInfo, SAMPLES_FILE } from './format';

/** An open dataset folder: the description plus positioned reads of rows from samples.f32. */
export interface Dataset {
  readonly dir: string;
  readonly info: DatasetInfo;
  readonly count: number;
  readonly length: number;
  readonly sampleRate: number;
  /**
   * Reads the rows `indices` (in that order) into `out` (or a new array) as consecutive rows of `length`.
   * Only those rows are read from disk, so memory stays bounded by the batch, not the dataset.
   */
  readRows(indices: ArrayLike<number>, out?: Float32Array): Float32Array;
  close(): void;
}

const littleEndianHost = os.endianness() === 'LE';

/** Opens a dataset folder written by `sampgen preprocess`, checking its description against samples.f32. */
export function openDataset(dir: string): Dataset {
  const info = readDatasetInfo(dir);
  const samplesPath = path.join(dir, SAMPLES_FILE);
  let fd: number;
  try {
    fd = fs.openSync(samplesPath, 'r');
  } catch (err) {
    throw new UserError(`cannot open ${samplesPath}: ${errorMessage(err)} (is ${dir} a complete dataset folder?)`);
  }
  const expected = info.count * info.length * BYTES_PER_SAMPLE;
  const actual = fs.fstatSync(fd).size;
  if (actual !== expected) {
    fs.closeSync(fd);
    throw new UserError(
      `${samplesPath} is truncated/corrupt: ${actual} bytes, but dataset.json says ${info.count} rows × ` +
        `${info.length} samples × 4 bytes = ${expected} bytes`,
    );
  }
  if (info.samples_sha256 !== undefined) verifySamples(fd, samplesPath, info.samples_sha256, dir);
  const rowBytes = info.length * BYTES_PER_SAMPLE;
  let open = true;
  return {
    dir,
    info,
    count: info.count,
    length: info.length,
    sampleRate: info.sample_rate,
    readRows(indices, out) {
      if (!open) throw new Error(`dataset ${dir} is closed`);
      const n = indices.length;
      const target = out ?? new Float32Array(n * info.length);
      if (target.length < n * info.length) {
        throw new Error(`readRows: output holds ${target.length} samples, ${n} rows need ${n * info.length}`);
      }
      const bytes = new Uint8Array(target.buffer, target.byteOffset, n * rowBytes);
      for (let k = 0; k < n; k++) {
        const row = indices[k]!;
        if (!Number.isInteger(row) || row < 0 || row >= info.count) {
          throw new RangeError(`readRows: row ${row} is outside 0..${info.count - 1}`);
        }
        const dest = bytes.subarray(k * rowBytes, (k + 1) * rowBytes);
        let got = 0;
        while (got < rowBytes) {
          const r = fs.readSync(fd, dest, got, rowBytes - got, row * rowBytes + got);
          if (r === 0) throw new UserError(`${samplesPath} ended early while reading row ${row} (file changed?)`);
          got += r;
        }
      }
      // The file is little-endian; a big-endian host must swap each float in place.
      if (!littleEndianHost) swapFloat32InPlace(bytes);
      return target;
    },
    close() {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

/** Checks samples.f32 against the sha256 dataset.json records, reading it once in 4 MiB chunks (bounded memory). */
function verifySamples(fd: number, samplesPath: string, expected: string, dir: string): void {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(4 << 20);
  for (let pos = 0; ; ) {
    const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
    if (n === 0) break;
    hash.update(chunk.subarray(0, n));
    pos += n;
  }
  if (hash.digest('hex') !== expected) {
    fs.closeSync(fd);
    throw new UserError(
      `${samplesPath} does not match the sha256 recorded in ${path.join(dir, DATASET_JSON)}: the file is damaged or was ` +
        'replaced; run `sampgen preprocess` again',
    );
  }
}

/** Reads and validates dataset.json of a dataset folder. */
export function readDatasetInfo(dir: string): DatasetInfo {
  if (!fs.existsSync(dir)) throw new UserError(`dataset folder ${dir} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new UserError(`${dir} is not a folder (expected a dataset folder)`);
  const file = path.join(dir, DATASET_JSON);
  if (!fs.existsSync(file)) {
    throw new UserError(
      `${file} is missing: ${dir} is not a dataset folder, or its preprocessing did not finish ` +
        '(run `sampgen preprocess <inputs> <folder>`)',
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${errorMessage(err)}`);
  }
  return validateDatasetInfo(raw, file);
}

/** Checks the fields that readers rely on; `where` names the file in messages. */
export function validateDatasetInfo(raw: unknown, where: string): DatasetInfo {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${where}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  if (!DATASET_VERSIONS_READ.includes(o.version as number)) {
    throw new UserError(
      `${where}: dataset format version ${JSON.stringify(o.version)} is not supported (this sampgen reads versions ` +
        `${DATASET_VERSIONS_READ.join(' and ')}); re-run \`sampgen preprocess\` with this sampgen`,
    );
  }
  const positiveInt = (key: string, allowZero = false) => {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < (allowZero ? 0 : 1)) {
      throw new UserError(`${where}: "${key}" must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  positiveInt('sample_rate');
  positiveInt('length');
  const count = positiveInt('count', true);
  positiveInt('attack', true);
  if (!Array.isArray(o.files)) throw new UserError(`${where}: "files" must be a list`);
  if (o.files.length !== count) {
    throw new UserError(`${where}: "count" is ${count} but "files" lists ${o.files.length} entries`);
  }
  if (o.skipped !== undefined && !Array.isArray(o.skipped)) throw new UserError(`${where}: "skipped" must be a list`);
  return { ...(o as unknown as DatasetInfo), skipped: (o.skipped as DatasetInfo['skipped']) ?? [] };
}

function swapFloat32InPlace(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    const a = bytes[i]!;
    const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!;
    bytes[i + 1] = bytes[i + 2]!;
    bytes[i + 2] = b;
    bytes[i + 3] = a;
  }
}
