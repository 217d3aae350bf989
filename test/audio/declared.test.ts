import { AudioDecodeError, AudioTooLongError, declaredSize, decodeAudio, describeSampleLimit, formatDuration, groupDigits, samplesAsDuration } from '../../src/audio';
import { MAX_CHUNKS } from '../../src/audio/chunks';
import { aiffFile, commChunk, constantFlac, fmtChunk, flacFile, iffFile, intRamp, pcmWav, rf64Wav, riffFile, slowFlac, ssndChunk } from './fixtures';

/**
 * The header-only size check that lets a server refuse a file before decoding it, and the limit the decoders enforce
 * on what they actually find (compressed or mislabelled files can hold far more than their size suggests).
 */

const u32le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const stereo = [intRamp(1000, 16), intRamp(1000, 16, 1)];

describe('declaredSize reads the header only', () => {
  test('WAV: data chunk size over the frame size (channels × container bytes)', () => {
    expect(declaredSize(pcmWav(stereo, 16, 44100))).toEqual({ frames: 1000, channels: 2, sampleRate: 44100 });
    expect(declaredSize(pcmWav([intRamp(300, 24)], 24, 96000))).toEqual({ frames: 300, channels: 1, sampleRate: 96000 });
    expect(declaredSize(pcmWav([intRamp(300, 12)], 12, 8000))).toEqual({ frames: 300, channels: 1, sampleRate: 8000 }); // 12-bit in 2 bytes
    const ext = riffFile([fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 24, extensible: { subFormat: 3 } }), { id: 'data', body: new Array(60).fill(0) }]);
    expect(declaredSize(ext)).toEqual({ frames: 10, channels: 2, sampleRate: 48000 });
  });

  test('WAV: what the header declares, not what the file holds (a huge data chunk, a tiny body)', () => {
    const fmt = fmtChunk({ tag: 1, channels: 2, sampleRate: 48000, bits: 16 });
    const wav = riffFile([fmt, { id: 'data', body: new Array(400).fill(0), declaredSize: 0xfffffff0 }]);
    expect(declaredSize(wav)).toEqual({ frames: Math.floor(0xfffffff0 / 4), channels: 2, sampleRate: 48000 });
    // The first 44 bytes are the whole header: nothing after them is read.
    expect(declaredSize(wav.subarray(0, 44))).toEqual(declaredSize(wav));
  });

  test('WAV: an unset data size (0xFFFFFFFF) declares nothing; RF64 takes it from ds64, up to 64 bits', () => {
    const fmt = fmtChunk({ tag: 1, channels: 1, sampleRate: 8000, bits: 16 });
    expect(declaredSize(riffFile([fmt, { id: 'data', body: [1, 2, 3, 4], declaredSize: 0xffffffff }]))).toBeNull();
    expect(declaredSize(rf64Wav(stereo, 16, 44100))).toEqual({ frames: 1000, channels: 2, sampleRate: 44100 });
    const huge = rf64Wav([[1, 2]], 16, 8000);
    huge.set([...u32le(0), ...u32le(0x10)], 12 + 8 + 8); // ds64 data size = 2^36 bytes
    expect(declaredSize(huge)).toEqual({ frames: 2 ** 35, channels: 1, sampleRate: 8000 });
  });

  test('AIFF/AIFC: the COMM frame count', () => {
    expect(declaredSize(aiffFile(stereo, 16, 22050))).toEqual({ frames: 1000, channels: 2, sampleRate: 22050 });
    expect(declaredSize(aiffFile(stereo, 16, 22050, { compression: 'sowt' }))).toEqual({ frames: 1000, channels: 2, sampleRate: 22050 });
    const lying = iffFile('AIFF', [commChunk({ channels: 8, frames: 0xffffffff, bits: 16, sampleRate: 48000 }), ssndChunk(new Uint8Array(16))]);
    expect(declaredSize(lying)).toEqual({ frames: 0xffffffff, channels: 8, sampleRate: 48000 });
  });

  test('FLAC: STREAMINFO total samples (36 bits), none when it says 0 (unknown), also behind an ID3v2 tag', () => {
    const flac = flacFile(stereo, 16, 48000);
    expect(declaredSize(flac)).toEqual({ frames: 1000, channels: 2, sampleRate: 48000 });
    expect(declaredSize(flacFile(stereo, 16, 48000, { totalSamples: 0 }))).toBeNull();
    expect(declaredSize(constantFlac(10, 8, 48000, { totalSamples: 2 ** 35 + 7 }))).toEqual({ frames: 2 ** 35 + 7, channels: 8, sampleRate: 48000 });
    const id3 = [0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5];
    expect(declaredSize(new Uint8Array([...id3, ...flac]))).toEqual({ frames: 1000, channels: 2, sampleRate: 48000 });
    expect(declaredSize(flac.subarray(0, 42))).toEqual({ frames: 1000, channels: 2, sampleRate: 48000 }); // 'fLaC' + STREAMINFO
  });

  test('files that are not audio, or cut inside the header, declare nothing (the decoder says why)', () => {
    for (const bytes of [new Uint8Array(0), Buffer.from('hello, not a wav'), Buffer.from('ID3\x03\x00\x00\x00\x00\x00\x00'), pcmWav(stereo, 16, 8000).subarray(0, 30), flacFile(stereo, 16, 8000).subarray(0, 20)]) {
      expect(declaredSize(bytes)).toBeNull();
    }
  });
});

describe('sizes in words', () => {
  test('durations, rates and digit groups', () => {
    expect([0.25, 45, 119.94, 120, 630, 3599, 3600, 5400].map(formatDuration)).toEqual(['0.25 s', '45 s', '119.9 s', '2 min', '10.5 min', '60 min', '1 h', '1.5 h']);
    expect(groupDigits(11520000)).toBe('11,520,000');
    expect(samplesAsDuration(28_800_000, 1, 48000)).toBe('10 min of mono audio at 48 kHz');
    expect(samplesAsDuration(8 * 3600 * 44100, 8, 44100)).toBe('1 h of 8-channel audio at 44.1 kHz');
    expect(describeSampleLimit(2 * 60 * 48000 * 2)).toBe('11,520,000 samples (2 min of stereo audio at 48 kHz)');
  });
});

describe('decodeAudio with maxSamples', () => {
  const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as AudioTooLongError);

  test('a file at the limit decodes; one whose header declares more is refused, in words', async () => {
    const wav = pcmWav(stereo, 16, 48000); // 2000 samples
    expect((await decodeAudio(wav, { maxSamples: 2000 })).channels).toHaveLength(2);
    const err = await refusal(decodeAudio(wav, { maxSamples: 1999 }));
    expect(err).toBeInstanceOf(AudioTooLongError);
    expect(err).toBeInstanceOf(AudioDecodeError); // callers that know only decode errors still handle it
    expect(err).toMatchObject({ samples: 2000, limit: 1999, how: 'declared' });
    expect(err!.message).toBe(
      'too long: its header declares 2,000 samples (frames × channels: 0.021 s of stereo audio at 48 kHz); the limit is 1,999 samples (0.021 s of stereo audio at 48 kHz)',
    );
  });

  test('an hour of 8-channel FLAC silence (a few hundred kB) is refused from its header, before decoding', async () => {
    const hour = constantFlac(3600 * 8000, 8, 8000);
    expect(hour.length).toBeLessThan(200_000);
    const err = await refusal(decodeAudio(hour, { maxSamples: 11_520_000 }));
    expect(err?.message).toBe(
      'too long: its header declares 230,400,000 samples (frames × channels: 1 h of 8-channel audio at 8 kHz); the limit is 11,520,000 samples (2 min of stereo audio at 48 kHz)',
    );
  });

  test('FLAC whose header does not say (or understates) its length: stopped as soon as the frames pass the limit', async () => {
    const limit = 100_000;
    for (const totalSamples of [0, 192]) {
      const err = await refusal(decodeAudio(constantFlac(48000 * 60, 2, 48000, { totalSamples }), { maxSamples: limit }));
      expect(err).toMatchObject({ samples: limit, limit, how: 'more-than' });
      expect(err!.message).toBe('too long: it holds more than 100,000 samples (frames × channels: over 1 s of stereo audio at 48 kHz); the limit is 100,000 samples (1 s of stereo audio at 48 kHz)');
    }
    // Frames that hold exactly the limit (with an unknown total) are decoded, silence and all.
    const exact = await decodeAudio(constantFlac(50_000, 2, 48000, { totalSamples: 0, blockSize: 10_000 }), { maxSamples: limit });
    expect(exact.channels.map((c) => c.length)).toEqual([50_000, 50_000]);
  });

  test('WAV with an unset data size, counted from what the file holds', async () => {
    const fmt = fmtChunk({ tag: 1, channels: 1, sampleRate: 8000, bits: 8 });
    const wav = riffFile([fmt, { id: 'data', body: new Array(5000).fill(128), declaredSize: 0xffffffff }]);
    expect(await refusal(decodeAudio(wav, { maxSamples: 4999 }))).toMatchObject({ samples: 5000, how: 'counted' });
    expect((await decodeAudio(wav, { maxSamples: 5000 })).channels[0]).toHaveLength(5000);
  });
});

describe('decodeAudio with firstChannelOnly', () => {
  test.each([
    ['WAV', pcmWav(stereo, 16, 8000)],
    ['WAV 24-bit', pcmWav(stereo.map((c) => c.map((v) => v * 256)), 24, 8000)],
    ['AIFF', aiffFile(stereo, 16, 8000)],
    ['FLAC', flacFile(stereo, 16, 8000)],
  ])('%s: the first channel exactly as a full decode gives it, and no other', async (_name, bytes) => {
    const full = await decodeAudio(bytes);
    const first = await decodeAudio(bytes, { firstChannelOnly: true });
    expect(full.channels).toHaveLength(2);
    expect(first.channels).toHaveLength(1);
    expect(first.channels[0]).toEqual(full.channels[0]);
    expect(first.sampleRate).toBe(full.sampleRate);
  });
});

describe('chunk floods', () => {
  test(`more than ${MAX_CHUNKS} chunks is refused, and messages list only a few chunk ids`, async () => {
    const junk = (n: number) => Array.from({ length: n }, () => ({ id: 'JUNK', body: [] as number[] }));
    await expect(decodeAudio(riffFile(junk(MAX_CHUNKS + 1)))).rejects.toThrow(`corrupt file: more than ${MAX_CHUNKS} chunks`);
    expect(declaredSize(riffFile(junk(MAX_CHUNKS + 1)))).toBeNull();
    await expect(decodeAudio(riffFile(junk(20)))).rejects.toThrow(
      "corrupt WAV: no 'fmt ' chunk (found only 'JUNK', 'JUNK', 'JUNK', 'JUNK', 'JUNK', 'JUNK', 'JUNK', 'JUNK', and 12 more)",
    );
  });
});

describe('slowFlac fixture', () => {
  test('no frame in it ever ends: the decoder reports an incomplete first frame', async () => {
    await expect(decodeAudio(slowFlac(300))).rejects.toThrow(/^truncated file: the first FLAC frame is incomplete \(4800 bytes present\)$/);
  });
});
