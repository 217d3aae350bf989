import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { datasetFingerprint, openDataset, readDatasetInfo, DATASET_VERSION } from '../../src/data';
import { DatasetWriter } from '../../src/preprocess/dataset-writer';
import { decayingSines, tempDir } from '../helpers/dataset';

function writeDataset(dir: string, rows: Float32Array[]): void {
  const writer = new DatasetWriter(dir, rows[0]!.length);
  rows.forEach((row, i) =>
    writer.addRow(row, { path: `hit-${i}.wav`, output: `hit-${i}.wav`, sha256: 'a'.repeat(64), sample_rate: 8000, channels: 1, format: 'WAV', frames: row.length, duration: row.length / 8000 }),
  );
  writer.finish({
    version: DATASET_VERSION,
    created_by: 'test',
    sample_rate: 8000,
    length: rows[0]!.length,
    attack: 4,
    parameters: { channel: 'first', sample_rate: 8000, attack: '4s', length: '32s', recursive: true, extensions: null },
    skipped: [],
  });
}

describe('dataset checksum', () => {
  test('dataset.json records the sha256 of samples.f32, and a damaged file is refused on open, naming it', () => {
    const dir = path.join(tempDir(), 'ds');
    writeDataset(dir, decayingSines(5, 32));
    const samples = path.join(dir, 'samples.f32');
    const info = readDatasetInfo(dir);
    expect(info.samples_sha256).toBe(createHash('sha256').update(fs.readFileSync(samples)).digest('hex'));
    openDataset(dir).close();
    const bytes = fs.readFileSync(samples);
    bytes[17] ^= 0x01; // one bit of one sample: same length, same row count
    fs.writeFileSync(samples, bytes);
    expect(() => openDataset(dir)).toThrow(new RegExp(`${samples.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not match the sha256 recorded in`));
  });

  test('the fingerprint changes with the rows even when the sources are the same', () => {
    const a = path.join(tempDir(), 'a');
    const b = path.join(tempDir(), 'b');
    writeDataset(a, decayingSines(5, 32, 1));
    writeDataset(b, decayingSines(5, 32, 2));
    expect(datasetFingerprint(readDatasetInfo(a))).not.toBe(datasetFingerprint(readDatasetInfo(b)));
    const c = path.join(tempDir(), 'c');
    writeDataset(c, decayingSines(5, 32, 1));
    expect(datasetFingerprint(readDatasetInfo(c))).toBe(datasetFingerprint(readDatasetInfo(a))); // location does not matter
  });
});
