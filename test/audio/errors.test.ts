import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AudioDecodeError, decodeAudio, readAudioFile } from '../../src/audio';
import { aiffFile, commChunk, flacFile, fmtChunk, iffFile, packInts, pcmWav, riffFile, ssndChunk } from './fixtures';

/** The AudioDecodeError message for `bytes`; fails the test if decoding succeeds or throws anything else. */
async function reason(bytes: ArrayLike<number>): Promise<string> {
  const err = await decodeAudio(Uint8Array.from(bytes)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioDecodeError);
  return (err as Error).message;
}

const text = (s: string): number[] => Array.from(Buffer.from(s, 'latin1'));
const fmt16 = fmtChunk({ tag: 1, channels: 1, sampleRate: 44100, bits: 16 });
const data16 = { id: 'data', body: packInts([[1, 2]], 16, { littleEndian: true }) };

describe('files that are not audio (container detected by bytes, not extension)', () => {
  it.each([
    ['empty file', [], 'empty file (0 bytes)'],
    ['3 bytes', [1, 2, 3], 'not an audio file: only 3 bytes'],
    ['text', text('hello, this is a text file\n'), "not an audio file: unrecognised header 'hell'"],
    ['HTML', text('<!DOCTYPE html><html>'), "not an audio file: unrecognised header '<!DO'"],
    ['binary', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not an audio file: unrecognised header bytes 89 50 4e 47'],
    ['all zeros', new Array(100).fill(0), 'not an audio file: starts with zero bytes, no header'],
    ['AppleDouble', [0x00, 0x05, 0x16, 0x07, 0, 2, 0, 0, ...new Array(40).fill(0)], "not an audio file: macOS resource-fork metadata (AppleDouble '._' file)"],
    ['MP3 with ID3, cut inside its first frame', [...text('ID3'), 4, 0, 0, 0, 0, 0, 10, ...new Array(10).fill(0), 0xff, 0xfb, 0x90, 0x00], 'truncated file: the first MP3 audio frame is incomplete'],
    ['bare MP3 frame header', [0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0], 'truncated file: the first MP3 audio frame is incomplete'],
    ['ID3 tag before something else', [...text('ID3'), 4, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4, ...text('hello')], 'not an MP3 file: no MPEG audio frame after the 14 bytes of ID3v2 tag'],
    ['ID3 tag longer than the file', [...text('ID3'), 4, 0, 0, 0, 0, 1, 0, 1, 2], 'truncated file: the file ends inside its ID3v2 tag (138 bytes declared)'],
    ['MP2 (Layer II)', [0xff, 0xfd, 0x90, 0x00, ...new Array(20).fill(0)], 'unsupported file: MPEG-1 Layer II (MP2) audio; Layer III (MP3) is supported'],
    ['free-format MP3', [0xff, 0xfb, 0x00, 0x00, ...new Array(20).fill(0)], 'unsupported file: free-format MP3 (no bitrate in its frame headers)'],
    ['AAC (ADTS)', [0xff, 0xf1, 0x50, 0x80, ...new Array(20).fill(0)], 'unsupported file: AAC audio (ADTS stream)'],
    ['Ogg of an unknown codec', [...text('OggS'), 0, 2, ...new Array(30).fill(0)], 'unsupported file: Ogg container of an unknown codec (Vorbis and Opus are supported)'],
    ['Ogg FLAC', [...text('OggS'), 0, 2, ...new Array(20).fill(0), 1, 9, 0x7f, ...text('FLAC'), 1, 0, 0, 0], 'unsupported file: FLAC in an Ogg container (Ogg FLAC); native .flac files are supported'],
    ['Ogg Speex', [...text('OggS'), 0, 2, ...new Array(20).fill(0), 1, 8, ...text('Speex   ')], 'unsupported file: Ogg Speex'],
    ['MP4', [0, 0, 0, 0x20, ...text('ftypM4A '), ...new Array(20).fill(0)], 'unsupported file: MP4/M4A (ISO media)'],
    ['AVI', [...text('RIFF'), 4, 0, 0, 0, ...text('AVI LIST')], "not a WAV file: RIFF file of type 'AVI ', not 'WAVE'"],
    ['RIFX', [...text('RIFX'), 0, 0, 0, 4, ...text('WAVE')], 'unsupported file: big-endian WAV (RIFX)'],
    ['IFF 8SVX', [...text('FORM'), 0, 0, 0, 4, ...text('8SVX')], "not an AIFF file: IFF file of type '8SVX', not 'AIFF' or 'AIFC'"],
  ])('%s', async (_name, bytes, message) => {
    expect(await reason(bytes)).toBe(message);
  });
});

describe('broken WAV files', () => {
  it.each([
    ['header cut at 10 bytes', text('RIFF\x24\x00\x00\x00WA'), 'truncated header: file is 10 bytes, too short for a WAV header'],
    ['nothing after RIFF/WAVE', text('RIFF\x04\x00\x00\x00WAVE'), "corrupt WAV: no 'fmt ' chunk (no chunks after the header)"],
    ['no fmt chunk', riffFile([{ id: 'LIST', body: text('INFO') }, data16]), "corrupt WAV: no 'fmt ' chunk (found only 'LIST', 'data')"],
    ['fmt chunk too short', riffFile([{ id: 'fmt ', body: [1, 0, 1, 0, 0x44, 0xac] }, data16]), "corrupt WAV header: 'fmt ' chunk is 6 bytes, needs at least 16"],
    ['file ends inside fmt', riffFile([fmt16]).subarray(0, 12 + 8 + 10), "corrupt WAV header: 'fmt ' chunk is 10 bytes (file ends inside it), needs at least 16"],
    ['no data chunk', riffFile([fmt16, { id: 'LIST', body: text('INFO') }]), "corrupt WAV: no 'data' chunk (chunks found: 'fmt ', 'LIST')"],
    ['file ends inside a chunk before data', riffFile([fmt16, { id: 'bext', body: new Array(600).fill(0) }]).subarray(0, 100), "corrupt WAV: no 'data' chunk (file ends inside the 'bext' chunk)"],
    ['empty data chunk', riffFile([fmt16, { id: 'data', body: [] }]), "no audio data: 'data' chunk is empty"],
    ['data shorter than a frame', riffFile([fmtChunk({ tag: 1, channels: 2, sampleRate: 8000, bits: 24 }), { id: 'data', body: [1, 2, 3, 4, 5] }]), "no audio data: 'data' chunk holds 5 bytes, less than one 6-byte frame"],
    ['truncated before the first whole frame', riffFile([fmt16, { id: 'data', body: [1], declaredSize: 100 }], { riffSize: 200 }).subarray(0, 12 + 24 + 8 + 1), "no audio data: 'data' chunk holds 1 byte, less than one 2-byte frame (file truncated: 100 declared)"],
    ['0 channels', riffFile([fmtChunk({ tag: 1, channels: 0, sampleRate: 8000, bits: 16 }), data16]), "corrupt WAV header: 'fmt ' chunk says 0 channels"],
    ['sample rate 0', riffFile([fmtChunk({ tag: 1, channels: 1, sampleRate: 0, bits: 16 }), data16]), "corrupt WAV header: 'fmt ' chunk says sample rate 0"],
    ['0-bit PCM', riffFile([fmtChunk({ tag: 1, channels: 1, sampleRate: 8000, bits: 0 }), data16]), 'unsupported WAV encoding: 0-bit PCM (format tag 0x0001)'],
    ['48-bit PCM', riffFile([fmtChunk({ tag: 1, channels: 1, sampleRate: 8000, bits: 48 }), data16]), 'unsupported WAV encoding: 48-bit PCM (format tag 0x0001)'],
    ['16-bit float', riffFile([fmtChunk({ tag: 3, channels: 1, sampleRate: 8000, bits: 16 }), data16]), 'unsupported WAV encoding: 16-bit float (format tag 0x0003); only 32 and 64 are defined'],
    ['RF64 without ds64', riffFile([fmt16, data16], { magic: 'RF64' }), "corrupt RF64 header: missing 'ds64' chunk after the RF64/WAVE header"],
    ['short extensible fmt', riffFile([{ id: 'fmt ', body: [0xfe, 0xff, ...(fmt16.body as number[]).slice(2), 22, 0] }, data16]), "corrupt WAV header: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is 18 bytes, needs 40"],
  ])('%s', async (_name, bytes, message) => {
    expect(await reason(bytes)).toBe(message);
  });

  it.each([
    [0x0007, 'mu-law'],
    [0x0006, 'A-law'],
    [0x0002, 'Microsoft ADPCM'],
    [0x0011, 'IMA ADPCM'],
    [0x0055, 'MP3 (MPEG Layer III)'],
    [0x0050, 'MPEG audio (MPEG-1 Layer I/II)'],
    [0x0031, 'GSM 6.10'],
    [0x1234, 'unknown encoding'],
  ])('names unsupported format tag 0x%s as %s', async (tag, name) => {
    const file = riffFile([fmtChunk({ tag, channels: 1, sampleRate: 8000, bits: 8 }), { id: 'data', body: [1, 2, 3, 4] }]);
    expect(await reason(file)).toBe(`unsupported WAV encoding: ${name} (format tag 0x${tag.toString(16).padStart(4, '0')})`);
  });

  it('names an unsupported WAVE_FORMAT_EXTENSIBLE sub-format and an unknown GUID', async () => {
    const ulaw = riffFile([fmtChunk({ tag: 7, channels: 1, sampleRate: 8000, bits: 8, extensible: { subFormat: 7 } }), data16]);
    expect(await reason(ulaw)).toBe('unsupported WAV encoding: mu-law (WAVE_FORMAT_EXTENSIBLE sub-format 0x0007)');
    const ambisonic = riffFile([
      fmtChunk({ tag: 1, channels: 4, sampleRate: 48000, bits: 16, extensible: { subFormat: 1, guidTail: [0, 0, 0x21, 0x07, 0xd3, 0x11, 0x86, 0x44, 0xc8, 0xc1, 0xca, 0, 0, 0] } }),
      data16,
    ]);
    expect(await reason(ambisonic)).toBe('unsupported WAV encoding: WAVE_FORMAT_EXTENSIBLE with unknown sub-format GUID 010000002107d3118644c8c1ca000000');
  });
});

describe('broken AIFF files', () => {
  const comm = commChunk({ channels: 1, frames: 2, bits: 16, sampleRate: 44100 });
  const ssnd = ssndChunk(packInts([[1, 2]], 16, { littleEndian: false }));
  it.each([
    ['header cut', text('FORM\x00\x00\x00\x04AI'), 'truncated header: file is 10 bytes, too short for an AIFF header'],
    ['no COMM', iffFile('AIFF', [ssnd]), "corrupt AIFF: no 'COMM' chunk (found only 'SSND')"],
    ['COMM too short', iffFile('AIFF', [{ id: 'COMM', body: [0, 1, 0, 0, 0, 2] }, ssnd]), "corrupt AIFF header: 'COMM' chunk is 6 bytes, needs 18"],
    ['AIFC COMM without compression type', iffFile('AIFC', [comm, ssnd]), "corrupt AIFC header: 'COMM' chunk is 18 bytes, needs 22"],
    ['0 channels', iffFile('AIFF', [commChunk({ channels: 0, frames: 2, bits: 16, sampleRate: 8000 }), ssnd]), "corrupt AIFF header: 'COMM' chunk says 0 channels"],
    ['0 frames', iffFile('AIFF', [commChunk({ channels: 1, frames: 0, bits: 16, sampleRate: 8000 })]), "no audio data: 'COMM' chunk says 0 sample frames"],
    ['no SSND', iffFile('AIFF', [comm]), "corrupt AIFF: no 'SSND' chunk (chunks found: 'COMM')"],
    ['SSND cut before the first frame', iffFile('AIFF', [comm, ssnd]).subarray(0, 12 + 26 + 8 + 8 + 1), "no audio data: 'COMM' chunk declares 2 frames but 'SSND' holds 1 byte of samples (file truncated)"],
    ['40-bit PCM', aiffFile([[1]], 40, 8000), 'unsupported AIFF encoding: 40-bit PCM'],
    ['mu-law AIFC', aiffFile([[1, 2]], 8, 8000, { compression: 'ulaw' }), "unsupported AIFC encoding: mu-law (compression type 'ulaw')"],
    ['IMA ADPCM AIFC', aiffFile([[1, 2]], 16, 8000, { compression: 'ima4' }), "unsupported AIFC encoding: IMA 4:1 ADPCM (compression type 'ima4')"],
    ['unknown AIFC', aiffFile([[1, 2]], 16, 8000, { compression: 'zzzz' }), "unsupported AIFC encoding: unknown encoding (compression type 'zzzz')"],
  ])('%s', async (_name, bytes, message) => {
    expect(await reason(bytes)).toBe(message);
  });

  it('rejects an infinite or zero sample rate', async () => {
    const bad = iffFile('AIFF', [{ id: 'COMM', body: [0, 1, 0, 0, 0, 2, 0, 16, 0x7f, 0xff, 0, 0, 0, 0, 0, 0, 0, 0] }, ssnd]);
    expect(await reason(bad)).toBe("corrupt AIFF header: 'COMM' chunk has an invalid sample rate");
    const zero = iffFile('AIFF', [{ id: 'COMM', body: [0, 1, 0, 0, 0, 2, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }, ssnd]);
    expect(await reason(zero)).toBe("corrupt AIFF header: 'COMM' chunk has an invalid sample rate");
  });
});

describe('broken FLAC files', () => {
  const good = flacFile([[1, 2, 3, 4]], 16, 44100);
  it.each([
    ['only the magic', text('fLaC'), 'truncated header: file is 4 bytes, too short for a FLAC header'],
    ['metadata cut short', good.subarray(0, 20), 'truncated FLAC header: metadata block 1 (type 0) declares 34 bytes but the file ends after 12'],
    ['first block not STREAMINFO', [...text('fLaC'), 0x84, 0, 0, 4, 0, 0, 0, 0], 'corrupt FLAC header: first metadata block is not a 34-byte STREAMINFO (type 4, 4 bytes)'],
    ['invalid block type', [...text('fLaC'), 0xff, 0, 0, 0, 0, 0], 'corrupt FLAC header: invalid metadata block type 127 (block 1)'],
    ['no frames, length unknown', flacFile([[]], 16, 44100, { totalSamples: 0 }), 'no audio data: FLAC stream has no audio frames'],
    ['no frames, length declared', flacFile([[]], 16, 44100, { totalSamples: 1000 }), 'truncated file: FLAC stream ends after its metadata (STREAMINFO declares 1000 samples)'],
    ['first frame cut', good.subarray(0, good.length - 3), 'truncated file: the first FLAC frame is incomplete (15 bytes present)'],
    ['garbage instead of frames', [...good.subarray(0, 42), ...text('this is not a flac frame')], 'corrupt FLAC data: no valid frame header where the audio starts (byte 42)'],
    ['12-bit', flacFile([[1, 2]], 12, 44100), 'unsupported FLAC encoding: 12-bit samples (8, 16 and 24-bit are supported)'],
    ['rate only in STREAMINFO', flacFile([[1, 2]], 16, 100001), 'unsupported FLAC stream: frame headers take the sample rate from STREAMINFO, which the decoder cannot follow'],
  ])('%s', async (_name, bytes, message) => {
    expect(await reason(bytes)).toBe(message);
  });

  it('rejects a stream whose frames disagree with STREAMINFO (channels)', async () => {
    const stereo = flacFile([[1, 2], [3, 4]], 16, 44100);
    const mono = flacFile([[1, 2]], 16, 44100);
    const mixed = new Uint8Array([...mono.subarray(0, 42), ...stereo.subarray(42)]);
    expect(await reason(mixed)).toBe('corrupt FLAC data: frames (16-bit, 2 ch, 44100 Hz) disagree with STREAMINFO (16-bit, 1 ch, 44100 Hz)');
  });
});

describe('readAudioFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-audio-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads and decodes a file from disk', async () => {
    const file = path.join(dir, 'x.wav');
    fs.writeFileSync(file, pcmWav([[16384]], 16, 22050));
    const d = await readAudioFile(file);
    expect(d.sampleRate).toBe(22050);
    expect(Array.from(d.channels[0])).toEqual([0.5]);
  });

  it('decides by content, not extension', async () => {
    const file = path.join(dir, 'really-aiff.wav');
    fs.writeFileSync(file, aiffFile([[16384]], 16, 8000));
    expect((await readAudioFile(file)).format).toBe('AIFF PCM 16-bit');
    const fake = path.join(dir, 'notes.flac');
    fs.writeFileSync(fake, 'shopping list');
    await expect(readAudioFile(fake)).rejects.toThrow("not an audio file: unrecognised header 'shop'");
  });

  it('turns fs errors into AudioDecodeError without the path', async () => {
    const missing = path.join(dir, 'missing.wav');
    const err = await readAudioFile(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioDecodeError);
    expect((err as Error).message).toBe('cannot read file: no such file (ENOENT)');
    await expect(readAudioFile(dir)).rejects.toThrow('cannot read file: it is a directory (EISDIR)');
  });
});
