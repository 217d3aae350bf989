import { decodeAudio } from '../../src/audio';
import { expectedFloats, floatWav, fmtChunk, intRamp, packInts, pcmWav, rf64Wav, riffFile } from './fixtures';

describe('WAV PCM decoding', () => {
  it('scales 16-bit exactly: -32768 -> -1, 16384 -> 0.5, 32767 -> 32767/32768', async () => {
    const d = await decodeAudio(pcmWav([[-32768, 16384, 0, 32767, -1]], 16, 44100));
    expect(d.format).toBe('WAV PCM 16-bit');
    expect(d.sampleRate).toBe(44100);
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5, 0, 32767 / 32768, -1 / 32768]);
    expect(d.warnings).toBeUndefined();
  });

  it('reads 8-bit as offset binary: (v - 128) / 128', async () => {
    // packInts adds 128 for unsigned8, so these are the stored bytes 0, 64, 128, 255.
    const d = await decodeAudio(pcmWav([[-128, -64, 0, 127]], 8, 8000));
    expect(d.format).toBe('WAV PCM 8-bit');
    expect(Array.from(d.channels[0])).toEqual([-1, -0.5, 0, 127 / 128]);
  });

  it('scales 24-bit by 1/8388608 with sign extension', async () => {
    const d = await decodeAudio(pcmWav([[-8388608, 4194304, -1, 8388607, 0]], 24, 96000));
    expect(d.format).toBe('WAV PCM 24-bit');
    expect(d.sampleRate).toBe(96000);
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5, -1 / 8388608, 8388607 / 8388608, 0]);
  });

  it('scales 32-bit by 1/2147483648 (rounded to float32)', async () => {
    const ints = [-2147483648, 1073741824, 2147483647, -3, 0];
    const d = await decodeAudio(pcmWav([ints], 32, 48000));
    expect(d.format).toBe('WAV PCM 32-bit');
    expect(Array.from(d.channels[0])).toEqual(Array.from(Float32Array.from(ints, (v) => v / 2147483648)));
    expect(d.channels[0][0]).toBe(-1);
    expect(d.channels[0][1]).toBe(0.5);
  });

  it.each([8, 16, 24, 32])('de-interleaves %i-bit multichannel data (1, 2, 3 and 6 channels)', async (bits) => {
    for (const n of [1, 2, 3, 6]) {
      const chans = Array.from({ length: n }, (_, c) => intRamp(37, bits, c));
      const d = await decodeAudio(pcmWav(chans, bits, 22050));
      expect(d.channels).toHaveLength(n);
      chans.forEach((ints, c) => expect(d.channels[c]).toEqual(expectedFloats(ints, bits)));
    }
  });

  it('preserves unusual sample rates', async () => {
    for (const rate of [1, 11025, 37800, 192000, 384000]) {
      expect((await decodeAudio(pcmWav([[1, 2]], 16, rate))).sampleRate).toBe(rate);
    }
  });

  it('reads 12-bit PCM left-justified in 2 bytes, scaled by the container (1/32768)', async () => {
    const ints = [-2048, 1024, 2047];
    const data = packInts([ints], 12, { littleEndian: true });
    const d = await decodeAudio(riffFile([fmtChunk({ tag: 1, channels: 1, sampleRate: 8000, bits: 12 }), { id: 'data', body: data }]));
    expect(d.format).toBe('WAV PCM 12-bit');
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5, 2047 / 2048]);
  });
});

describe('WAV float decoding', () => {
  it('reads float32 bit-exactly, including NaN, Inf and values beyond ±1', async () => {
    const values = [0.1, -0.75, 1.5, NaN, Infinity, -Infinity, 1e-30];
    const d = await decodeAudio(floatWav([values, values.map((v) => -v)], 4, 44100));
    expect(d.format).toBe('WAV float 32-bit');
    expect(d.channels[0]).toEqual(Float32Array.from(values));
    expect(d.channels[1]).toEqual(Float32Array.from(values, (v) => -v));
  });

  it('reads float64 and rounds to float32', async () => {
    const values = [0.1, -1 / 3, 0.5];
    const d = await decodeAudio(floatWav([values], 8, 48000));
    expect(d.format).toBe('WAV float 64-bit');
    expect(d.channels[0]).toEqual(Float32Array.from(values));
  });
});

describe('WAVE_FORMAT_EXTENSIBLE', () => {
  it('decodes PCM and float sub-formats', async () => {
    const ints = [[-8388608, 123456], [8388607, -5]];
    const pcm = riffFile([
      fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 24, extensible: { subFormat: 1 } }),
      { id: 'data', body: packInts(ints, 24, { littleEndian: true }) },
    ]);
    const d = await decodeAudio(pcm);
    expect(d.format).toBe('WAV PCM 24-bit');
    expect(d.channels[0]).toEqual(expectedFloats(ints[0], 24));
    expect(d.channels[1]).toEqual(expectedFloats(ints[1], 24));

    const floats = new Uint8Array(new Float32Array([0.25, -0.5, 0.125]).buffer);
    const fl = riffFile([
      fmtChunk({ tag: 3, channels: 1, sampleRate: 44100, bits: 32, extensible: { subFormat: 3 } }),
      { id: 'fact', body: [3, 0, 0, 0] },
      { id: 'data', body: floats },
    ]);
    const f = await decodeAudio(fl);
    expect(f.format).toBe('WAV float 32-bit');
    expect(Array.from(f.channels[0])).toEqual([0.25, -0.5, 0.125]);
  });

  it('reads 20 valid bits in a 24-bit container by the container scale', async () => {
    const ints = [-524288, 262144]; // 20-bit values
    const data = packInts([ints], 20, { littleEndian: true }); // left-justified in 3 bytes
    const d = await decodeAudio(
      riffFile([fmtChunk({ tag: 1, channels: 1, sampleRate: 48000, bits: 24, extensible: { subFormat: 1, validBits: 20 } }), { id: 'data', body: data }]),
    );
    expect(Array.from(d.channels[0])).toEqual([-1, 0.5]);
  });
});

describe('WAV chunk layouts', () => {
  const ints = [[-32768, 100, 16384, 32767]];
  const data = { id: 'data', body: packInts(ints, 16, { littleEndian: true }) };
  const fmt = fmtChunk({ tag: 1, channels: 1, sampleRate: 44100, bits: 16 });
  const expected = expectedFloats(ints[0], 16);

  it('skips LIST, bext, junk and odd-sized chunks (with their pad byte) before and after data', async () => {
    const bext = { id: 'bext', body: new Array(602).fill(0x41) };
    const list = { id: 'LIST', body: [...Buffer.from('INFOISFT'), 3, 0, 0, 0, 0x61, 0x62, 0x63] }; // 15 bytes: odd
    const junk = { id: 'JUNK', body: [1, 2, 3] };
    const d = await decodeAudio(riffFile([junk, fmt, bext, list, { id: 'PAD ', body: new Array(27).fill(0) }, data, list, junk]));
    expect(d.channels[0]).toEqual(expected);
    expect(d.warnings).toBeUndefined();
  });

  it('copes with a writer that left out the pad byte after an odd-sized chunk', async () => {
    const odd = { id: 'junk', body: [9, 9, 9], omitPad: true };
    const d = await decodeAudio(riffFile([fmt, odd, data]));
    expect(d.channels[0]).toEqual(expected);
  });

  it('reads an odd-sized data chunk (8-bit, 3 frames) followed by its pad byte and more chunks', async () => {
    const d = await decodeAudio(pcmWav([[-128, 0, 127]], 8, 8000, { after: [{ id: 'LIST', body: [...Buffer.from('INFO')] }] }));
    expect(Array.from(d.channels[0])).toEqual([-1, 0, 127 / 128]);
  });

  it('ignores a wrong RIFF size and trailing garbage after the last chunk', async () => {
    const file = riffFile([fmt, data], { riffSize: 4 });
    const withTail = new Uint8Array([...file, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]);
    expect((await decodeAudio(withTail)).channels[0]).toEqual(expected);
  });

  it('finds fmt even after data', async () => {
    expect((await decodeAudio(riffFile([data, fmt]))).channels[0]).toEqual(expected);
  });

  it('decodes the whole frames of a truncated data chunk and says so', async () => {
    const full = riffFile([fmt, { ...data, declaredSize: 1000 }]);
    const cut = full.subarray(0, full.length - 1); // 3.5 frames present
    const d = await decodeAudio(cut);
    expect(d.channels[0]).toEqual(expected.subarray(0, 3));
    expect(d.warnings).toEqual([
      "truncated file: 'data' chunk declares 1000 bytes but only 7 are present; decoded the 3 whole frames present",
    ]);
  });

  it('reads to the end of file when the data size is unset (0xFFFFFFFF)', async () => {
    const d = await decodeAudio(riffFile([fmt, { ...data, declaredSize: 0xffffffff }]));
    expect(d.channels[0]).toEqual(expected);
    expect(d.warnings?.[0]).toMatch(/unset \(0xFFFFFFFF\)/);
  });

  it('drops a partial trailing frame and says so', async () => {
    const stereo = fmtChunk({ tag: 1, channels: 2, sampleRate: 44100, bits: 16 });
    const body = [...packInts([[1, 2], [3, 4]], 16, { littleEndian: true }), 7, 7];
    const d = await decodeAudio(riffFile([stereo, { id: 'data', body }]));
    expect(d.channels.map((c) => Array.from(c))).toEqual([[1 / 32768, 2 / 32768], [3 / 32768, 4 / 32768]]);
    expect(d.warnings).toEqual(["'data' chunk size 10 is not a multiple of the 4-byte frame; ignored the last 2 bytes"]);
  });
});

describe('RF64', () => {
  it('takes the data size from ds64', async () => {
    const ints = [[-32768, 0, 32767], [1, 2, 3]];
    const d = await decodeAudio(rf64Wav(ints, 16, 48000));
    expect(d.format).toBe('RF64 PCM 16-bit');
    expect(d.channels[0]).toEqual(expectedFloats(ints[0], 16));
    expect(d.channels[1]).toEqual(expectedFloats(ints[1], 16));
    expect(d.warnings).toBeUndefined();
  });
});
