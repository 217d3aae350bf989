import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readAudioFile } from '../../src/audio';

/** Real files from Debian's hydrogen-data (GPL-2+), see test/fixtures/real/README.md. */
const REAL = path.join(__dirname, '..', 'fixtures', 'real');

function peak(channels: Float32Array[]): number {
  let p = 0;
  for (const c of channels) for (const v of c) p = Math.max(p, Math.abs(v));
  return p;
}

describe('real files', () => {
  it('decodes a libFLAC-encoded FLAC whose samples match the MD5 in its STREAMINFO', async () => {
    const file = path.join(REAL, '808_Clave.flac');
    const d = await readAudioFile(file);
    expect(d.format).toBe('FLAC 16-bit');
    expect(d.sampleRate).toBe(44100);
    expect(d.channels).toHaveLength(1);
    expect(d.channels[0].length).toBe(4653);
    expect(d.warnings).toBeUndefined();
    const p = peak(d.channels);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThanOrEqual(1);

    // STREAMINFO's MD5 (body bytes 18..33) covers the decoded samples as 16-bit little-endian integers: an
    // independent check that every sample is exact, made by the encoder that wrote the file.
    const bytes = fs.readFileSync(file);
    const md5 = bytes.subarray(8 + 18, 8 + 34).toString('hex');
    const ints = Buffer.alloc(d.channels[0].length * 2);
    d.channels[0].forEach((v, i) => {
      expect(Number.isInteger(v * 32768)).toBe(true);
      ints.writeInt16LE(v * 32768, i * 2);
    });
    expect(createHash('md5').update(ints).digest('hex')).toBe(md5);
  });

  it("decodes a WAV with a 'PAD ' chunk, matching the data chunk read independently", async () => {
    const file = path.join(REAL, 'GMRockKit_Cowbell-Hard.wav');
    const d = await readAudioFile(file);
    expect(d.format).toBe('WAV PCM 16-bit');
    expect(d.sampleRate).toBe(44100);
    expect(d.channels).toHaveLength(1);
    expect(d.warnings).toBeUndefined();
    const p = peak(d.channels);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThanOrEqual(1);

    // Layout known from the file: 'fmt ' (16 bytes) at 12, 'PAD ' (4044 bytes) at 36, 'data' (14586 bytes) at 4088.
    const bytes = fs.readFileSync(file);
    expect(bytes.toString('latin1', 4088, 4092)).toBe('data');
    const size = bytes.readUInt32LE(4092);
    expect(d.channels[0].length).toBe(size / 2);
    for (let i = 0; i < size / 2; i++) {
      if (d.channels[0][i] !== bytes.readInt16LE(4096 + 2 * i) / 32768) throw new Error(`sample ${i} differs`);
    }
  });
});
