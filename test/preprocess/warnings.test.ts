/** A file the decoder keeps with a warning (a WAV cut mid-data) is a row, and the warning is said and recorded. */
import * as fs from 'fs';
import * as path from 'path';
import { encodeWav } from '../../src/audio';
import { readDatasetInfo } from '../../src/data';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/dataset';

test('a truncated WAV is kept up to its last whole frame; preprocess prints the warning and dataset.json records it', async () => {
  const root = tempDir();
  const input = path.join(root, 'in');
  fs.mkdirSync(input);
  const hit = Float32Array.from({ length: 800 }, (_, n) => Math.exp(-n / 100) * Math.sin(n / 3));
  fs.writeFileSync(path.join(input, 'whole.wav'), encodeWav([hit], 8000, 'pcm16'));
  const bytes = encodeWav([hit], 8000, 'pcm16');
  fs.writeFileSync(path.join(input, 'cut.wav'), bytes.subarray(0, bytes.length - 301)); // ends inside a frame
  const output = path.join(root, 'ds');
  const r = await runCli(['preprocess', input, output, '--sample-rate', '8000', '--attack', '0.01', '--length', '0.05']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/kept 1 with a decoder warning \(also in dataset.json\):\n  cut.wav: .*trunc/i);
  const info = readDatasetInfo(output);
  expect(info.files.map((f) => f.path)).toEqual(['cut.wav', 'whole.wav']);
  expect(info.files[0]!.warnings).toEqual([expect.stringMatching(/trunc/i)]);
  expect(info.files[1]!.warnings).toBeUndefined();
});
