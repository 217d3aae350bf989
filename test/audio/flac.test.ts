import { decodeAudio, AudioDecodeError } from '../../src/audio';
import { crc16, crc8, expectedFloats, flacFile, intRamp } from './fixtures';

describe('fixture FLAC writer checksums', () => {
  // Standard check values for the input "123456789": CRC-8 (poly 0x07) = 0xF4, CRC-16/BUYPASS (poly 0x8005) = 0xFEE8.
  it('uses the standard CRC-8 and CRC-16', () => {
    const input = Array.from(Buffer.from('123456789'));
    expect(crc8(input)).toBe(0xf4);
    expect(crc16(input)).toBe(0xfee8);
  });
});

describe('FLAC decoding', () => {
  it('scales 16-bit exactly: -32768 -> -1, 16384 -> 0.5, 32767 -> 32767/32768', async () => {
    const d = await decodeAudio(flacFile([[-32768, 16384, 0, 32767, -1]], 16, 44100));
    expect(d.format).toBe('FLAC 16-bit');
    expect(d.sampleRate).toBe(44100);
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5, 0, 32767 / 32768, -1 / 32768]);
    expect(d.warnings).toBeUndefined();
  });

  it('scales 24-bit exactly, including full-scale values (the library itself divides by 2^23 - 1)', async () => {
    const ints = [-8388608, 4194304, 8388607, -8388607, 1, -1, 0, 8388606];
    const d = await decodeAudio(flacFile([ints], 24, 48000));
    expect(d.format).toBe('FLAC 24-bit');
    expect(d.channels[0]).toEqual(expectedFloats(ints, 24));
    expect(d.channels[0][0]).toBe(-1);
    expect(d.channels[0][1]).toBe(0.5);
  });

  it.each([16, 24] as const)('decodes every %i-bit value of a long ramp exactly across many frames', async (bits) => {
    const ints = intRamp(3001, bits);
    const d = await decodeAudio(flacFile([ints], bits, 44100, { blockSize: 256 }));
    expect(d.channels[0]).toEqual(expectedFloats(ints, bits));
  });

  it('decodes 8-bit FLAC exactly', async () => {
    const d = await decodeAudio(flacFile([[-128, 64, 127]], 8, 8000));
    expect(d.format).toBe('FLAC 8-bit');
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5, 127 / 128]);
  });

  it('de-interleaves multichannel streams (2, 3, 6 channels)', async () => {
    for (const n of [2, 3, 6]) {
      const chans = Array.from({ length: n }, (_, c) => intRamp(300, 16, c));
      const d = await decodeAudio(flacFile(chans, 16, 48000, { blockSize: 128 }));
      expect(d.channels).toHaveLength(n);
      chans.forEach((ints, c) => expect(d.channels[c]).toEqual(expectedFloats(ints, 16)));
    }
  });

  it('preserves sample rates, including ones written as explicit Hz/kHz in frame headers', async () => {
    for (const rate of [8000, 22050, 37800, 44100, 96000, 11000, 192000]) {
      const d = await decodeAudio(flacFile([[1, 2, 3]], 16, rate));
      expect(d.sampleRate).toBe(rate);
    }
  });

  it('skips extra metadata blocks (PADDING, VORBIS_COMMENT) and an ID3v2 tag in front', async () => {
    const ints = [[5, -5, 300]];
    const file = flacFile(ints, 16, 44100, { extraBlocks: [{ type: 1, body: new Array(100).fill(0) }, { type: 4, body: new Array(17).fill(0x20) }] });
    expect((await decodeAudio(file)).channels[0]).toEqual(expectedFloats(ints[0], 16));
    const id3 = [0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]; // 'ID3' v2.3, 5-byte body
    expect((await decodeAudio(new Uint8Array([...id3, ...file]))).channels[0]).toEqual(expectedFloats(ints[0], 16));
  });

  it('decodes many files in parallel through the shared decoder without mixing them up', async () => {
    const inputs = Array.from({ length: 8 }, (_, i) => intRamp(400 + i * 10, 16, i));
    const results = await Promise.all(inputs.map((ints) => decodeAudio(flacFile([ints], 16, 44100, { blockSize: 100 }))));
    results.forEach((d, i) => expect(d.channels[0]).toEqual(expectedFloats(inputs[i], 16)));
  });
});

describe('FLAC damage', () => {
  const ints = intRamp(2000, 16);
  const file = flacFile([ints], 16, 44100, { blockSize: 100 }); // 20 frames
  const expected = expectedFloats(ints, 16);

  it('keeps the whole frames of a file cut inside a frame, with a warning', async () => {
    const d = await decodeAudio(file.subarray(0, file.length - 50));
    expect(d.channels[0]).toEqual(expected.subarray(0, 1900));
    expect(d.warnings).toEqual(['truncated file: the FLAC stream does not end with a whole frame (cut short, or junk appended); decoded the 19 whole frames before it (1900 of 2000 samples)']);
  });

  it('keeps a file cut exactly at a frame boundary, with a warning', async () => {
    // The first 1000 samples as 10 whole frames, under a STREAMINFO that promises 2000.
    const cut = flacFile([ints.slice(0, 1000)], 16, 44100, { blockSize: 100, totalSamples: 2000 });
    const d = await decodeAudio(cut);
    expect(d.channels[0]).toEqual(expected.subarray(0, 1000));
    expect(d.warnings).toEqual(['truncated file: STREAMINFO declares 2000 samples but the frames hold 1000; kept those']);
  });

  it('warns about an incomplete last frame when STREAMINFO does not know the length', async () => {
    const unknown = flacFile([ints], 16, 44100, { blockSize: 100, totalSamples: 0 });
    const d = await decodeAudio(unknown.subarray(0, unknown.length - 30));
    expect(d.channels[0]).toEqual(expected.subarray(0, 1900));
    expect(d.warnings).toEqual(['truncated file: the FLAC stream does not end with a whole frame (cut short, or junk appended); decoded the 19 whole frames before it (1900 samples)']);
  });

  it('rejects a file with a corrupt frame followed by good ones, naming the frame', async () => {
    // Frames are 7-byte header + 1 + 200 + 2 = 210 bytes after 42 bytes of 'fLaC' + STREAMINFO.
    for (const [at, frame] of [[45, 0], [42 + 210 * 2 + 50, 2], [42 + 210 * 10 + 207, 10]]) {
      const bad = file.slice();
      bad[at] ^= 0x10;
      const err = await decodeAudio(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AudioDecodeError);
      expect((err as Error).message).toMatch(new RegExp(`^corrupt FLAC data: (frame ${frame} \\(byte ${42 + 210 * frame}\\) fails its CRC-16 check|no valid frame header where the audio starts)`));
    }
  });

  it('decodes a stream whose last sample byte before the CRC is 0xFF (dropped by the library\'s own frame parser)', async () => {
    for (const ints of [[1, 2, 3, 255], [1, 2, 3, 32767], [-32768, 16384, 0, 32767, -1]]) {
      expect((await decodeAudio(flacFile([ints], 16, 44100))).channels[0]).toEqual(expectedFloats(ints, 16));
    }
  });

  it('cuts off appended ID3v1 and APEv2 tags; treats other junk like truncation (losing the last frame)', async () => {
    const id3v1 = [0x54, 0x41, 0x47, ...new Array(125).fill(0x20)];
    const apeItems = new Array(20).fill(0x41);
    const apeFooter = [...Buffer.from('APETAGEX'), 0xd0, 0x07, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, ...new Array(8).fill(0)];
    for (const tail of [id3v1, [...apeItems, ...apeFooter], [...apeItems, ...apeFooter, ...id3v1]]) {
      const t = await decodeAudio(new Uint8Array([...file, ...tail]));
      expect(t.channels[0]).toEqual(expected);
      expect(t.warnings).toBeUndefined();
    }
    const withJunk = await decodeAudio(new Uint8Array([...file, ...new Array(40).fill(0x20)]));
    expect(withJunk.channels[0]).toEqual(expected.subarray(0, 1900));
    expect(withJunk.warnings?.[0]).toMatch(/^truncated file: the FLAC stream does not end with a whole frame/);
    // Zero bytes after a frame keep its CRC-16 valid (a property of CRCs), so they pass as part of the last frame;
    // libFLAC ignores them, and the samples are all there.
    const zeros = await decodeAudio(new Uint8Array([...file, ...new Array(40).fill(0)]));
    expect(zeros.channels[0]).toEqual(expected);
  });

  it('passes on libFLAC frame errors (a reserved subframe type in a frame with valid checksums)', async () => {
    const bad = flacFile([[1, 2, 3, 4]], 16, 44100);
    const frameStart = 42;
    // The subframe header follows the 7-byte frame header (sync 2, codes 2, number 1, block size 1, CRC-8 1).
    bad[frameStart + 7] = 0x7e; // subframe type 0b111111: reserved
    const c = crc16(bad.subarray(frameStart, bad.length - 2));
    bad[bad.length - 2] = c >> 8;
    bad[bad.length - 1] = c & 0xff;
    await expect(decodeAudio(bad)).rejects.toThrow(/^corrupt FLAC data: 1 frame error, first in frame 0: Error: FLAC__STREAM_DECODER_ERROR_STATUS_/);
  });

  it('the shared decoder carries nothing from file to file: the same error after good files, good files after damage', async () => {
    const bad = flacFile([[1, 2, 3, 4]], 16, 44100);
    bad[42 + 7] = 0x7e;
    const c = crc16(bad.subarray(42, bad.length - 2));
    bad[bad.length - 2] = c >> 8;
    bad[bad.length - 1] = c & 0xff;
    const good = (i: number) => intRamp(700 + 31 * i, i % 2 ? 24 : 16, i);
    const goodFile = (i: number) => flacFile([good(i)], i % 2 ? 24 : 16, i % 2 ? 48000 : 44100, { blockSize: 256 });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await decodeAudio(goodFile(i))).channels[0]).toEqual(expectedFloats(good(i), i % 2 ? 24 : 16));
      // frame 0 of this file, not the count of frames the decoder has seen before it
      await expect(decodeAudio(bad)).rejects.toThrow(/^corrupt FLAC data: 1 frame error, first in frame 0: /);
    }
  });
});
