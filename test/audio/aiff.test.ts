import { decodeAudio } from '../../src/audio';
import { readExtended80 } from '../../src/audio/aiff';
import { aiffFile, commChunk, expectedFloats, extended80, iffFile, intRamp, packInts, ssndChunk } from './fixtures';

describe('80-bit extended sample rate', () => {
  it('matches the well-known encoding of 44100 Hz (40 0E AC 44 00 ...)', () => {
    expect(extended80(44100)).toEqual([0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]);
    expect(readExtended80(new DataView(new Uint8Array([0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]).buffer), 0)).toBe(44100);
  });

  it('round-trips common and odd rates', () => {
    for (const rate of [1, 8000, 22050, 22254.545454, 44100, 48000, 96000, 192000, 352800]) {
      const view = new DataView(new Uint8Array(extended80(rate)).buffer);
      expect(readExtended80(view, 0)).toBeCloseTo(rate, 6);
    }
  });
});

describe('AIFF', () => {
  it.each([8, 16, 24, 32])('decodes big-endian %i-bit PCM (signed, even at 8 bits) exactly', async (bits) => {
    const full = 2 ** (bits - 1);
    const ints = [[-full, full / 2, 0, full - 1, -1]];
    const d = await decodeAudio(aiffFile(ints, bits, 44100));
    expect(d.format).toBe(`AIFF PCM ${bits}-bit`);
    expect(d.sampleRate).toBe(44100);
    expect(d.channels[0]).toEqual(expectedFloats(ints[0], bits));
    expect(d.channels[0][0]).toBe(-1);
    expect(d.channels[0][1]).toBe(0.5);
  });

  it('de-interleaves multichannel data and keeps the sample rate', async () => {
    for (const n of [2, 3, 5]) {
      const chans = Array.from({ length: n }, (_, c) => intRamp(29, 24, c));
      const d = await decodeAudio(aiffFile(chans, 24, 96000));
      expect(d.sampleRate).toBe(96000);
      expect(d.channels).toHaveLength(n);
      chans.forEach((ints, c) => expect(d.channels[c]).toEqual(expectedFloats(ints, 24)));
    }
  });

  it('rounds a fractional rate (old Macintosh 22254.545 Hz) to an integer', async () => {
    expect((await decodeAudio(aiffFile([[1, 2]], 16, 22254.545454))).sampleRate).toBe(22255);
  });

  it('honours the SSND offset and skips unknown chunks (odd-sized, padded)', async () => {
    const ints = [[-32768, 32767, 5]];
    const file = aiffFile(ints, 16, 48000, { ssndOffset: 6, extra: [{ id: 'NAME', body: [0x6b, 0x69, 0x63] }, { id: 'ANNO', body: [] }] });
    expect((await decodeAudio(file)).channels[0]).toEqual(expectedFloats(ints[0], 16));
  });

  it('reads 12-bit samples left-justified in 2 bytes', async () => {
    const d = await decodeAudio(aiffFile([[-2048, 1024]], 12, 8000));
    expect(d.format).toBe('AIFF PCM 12-bit');
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5]);
  });

  it('decodes the whole frames present when SSND is truncated, with a warning', async () => {
    const ints = [[1, 2, 3, 4], [5, 6, 7, 8]];
    const file = aiffFile(ints, 16, 44100);
    const d = await decodeAudio(file.subarray(0, file.length - 3)); // 13 of 16 sample bytes: 3 whole frames
    expect(d.channels.map((c) => Array.from(c))).toEqual([[1, 2, 3].map((v) => v / 32768), [5, 6, 7].map((v) => v / 32768)]);
    expect(d.warnings).toEqual(["truncated file: 'COMM' chunk declares 4 frames but only 3 whole frames are present; decoded those"]);
  });

  it('accepts COMM after SSND', async () => {
    const ints = [[100, -100]];
    const file = iffFile('AIFF', [ssndChunk(packInts(ints, 16, { littleEndian: false })), commChunk({ channels: 1, frames: 2, bits: 16, sampleRate: 8000 })]);
    expect((await decodeAudio(file)).channels[0]).toEqual(expectedFloats(ints[0], 16));
  });
});

describe('AIFC', () => {
  it.each(['NONE', 'twos'])('decodes %s (big-endian PCM)', async (compression) => {
    const ints = [[-32768, 16384], [7, -7]];
    const d = await decodeAudio(aiffFile(ints, 16, 44100, { compression }));
    expect(d.format).toBe(`AIFC ${compression} 16-bit`);
    expect(d.channels[0]).toEqual(expectedFloats(ints[0], 16));
    expect(d.channels[1]).toEqual(expectedFloats(ints[1], 16));
  });

  it.each([16, 24])('decodes sowt (little-endian) %i-bit', async (bits) => {
    const ints = [intRamp(20, bits), intRamp(20, bits, 3)];
    const d = await decodeAudio(aiffFile(ints, bits, 48000, { compression: 'sowt' }));
    expect(d.format).toBe(`AIFC sowt ${bits}-bit`);
    expect(d.channels[0]).toEqual(expectedFloats(ints[0], bits));
    expect(d.channels[1]).toEqual(expectedFloats(ints[1], bits));
  });

  it('decodes fl32 bit-exactly (NaN and values beyond ±1 kept) and fl64 rounded to float32', async () => {
    const values = [0.1, -0.5, 2, NaN, -1e-20];
    const d32 = await decodeAudio(aiffFile([values], 32, 44100, { compression: 'fl32' }));
    expect(d32.format).toBe('AIFC fl32 32-bit float');
    expect(d32.channels[0]).toEqual(Float32Array.from(values));
    const d64 = await decodeAudio(aiffFile([values], 64, 44100, { compression: 'fl64' }));
    expect(d64.format).toBe('AIFC fl64 64-bit float');
    expect(d64.channels[0]).toEqual(Float32Array.from(values));
  });

  it("decodes 'raw ' as offset-binary 8-bit", async () => {
    const d = await decodeAudio(aiffFile([[-128, 0, 64]], 8, 11025, { compression: 'raw ' }));
    expect(Array.from(d.channels[0])).toEqual([-1, 0, 0.5]);
  });
});
