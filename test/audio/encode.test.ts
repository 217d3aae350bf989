import { decodeAudio, encodeWav } from '../../src/audio';

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

describe('encodeWav', () => {
  it('writes a float32 WAV (format tag 3, fmt 18 bytes, fact chunk) that decodes bit-exactly', async () => {
    const left = Float32Array.from([0, 0.1, -0.7, 1, -1, 1.5, NaN, Infinity, 3e-39]);
    const right = left.map((v) => -v);
    const bytes = encodeWav([left, right], 44100, 'float32');
    const view = new DataView(bytes.buffer);
    expect(ascii(bytes, 0)).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    expect(ascii(bytes, 12)).toBe('fmt ');
    expect(view.getUint32(16, true)).toBe(18);
    expect(view.getUint16(20, true)).toBe(3);
    expect(view.getUint16(22, true)).toBe(2);
    expect(view.getUint32(24, true)).toBe(44100);
    expect(view.getUint32(28, true)).toBe(44100 * 8);
    expect(view.getUint16(32, true)).toBe(8);
    expect(view.getUint16(34, true)).toBe(32);
    expect(ascii(bytes, 38)).toBe('fact');
    expect(view.getUint32(46, true)).toBe(left.length);
    expect(ascii(bytes, 50)).toBe('data');
    expect(view.getUint32(54, true)).toBe(left.length * 8);
    // Interleaved: L0 R0 L1 R1 ...
    expect(view.getFloat32(58 + 8, true)).toBe(left[1]);
    expect(view.getFloat32(58 + 12, true)).toBe(right[1]);

    const d = await decodeAudio(bytes);
    expect(d.format).toBe('WAV float 32-bit');
    expect(d.sampleRate).toBe(44100);
    expect(d.channels[0]).toEqual(left);
    expect(d.channels[1]).toEqual(right);
  });

  it('accepts one Float32Array as mono', async () => {
    const x = Float32Array.from([0.25, -0.25]);
    const d = await decodeAudio(encodeWav(x, 16000, 'float32'));
    expect(d.channels).toHaveLength(1);
    expect(d.channels[0]).toEqual(x);
  });

  it('pcm16: values on the 16-bit grid round-trip exactly, others within half an LSB', async () => {
    const onGrid = Float32Array.from([-1, -0.5, 0, 0.5, 32767 / 32768, -1 / 32768, 12345 / 32768]);
    const d = await decodeAudio(encodeWav(onGrid, 48000, 'pcm16'));
    expect(d.format).toBe('WAV PCM 16-bit');
    expect(d.channels[0]).toEqual(onGrid);

    const offGrid = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * 0.99);
    const r = await decodeAudio(encodeWav(offGrid, 48000, 'pcm16'));
    for (let i = 0; i < offGrid.length; i++) expect(Math.abs(r.channels[0][i] - offGrid[i])).toBeLessThanOrEqual(0.5 / 32768);
  });

  it('pcm24: values on the 24-bit grid round-trip exactly, others within half an LSB', async () => {
    const onGrid = Float32Array.from([-1, 0.5, 8388607 / 8388608, -3 / 8388608, 0]);
    const second = Float32Array.from([0.25, -0.5, -8388607 / 8388608, 3 / 8388608, 0]);
    const d = await decodeAudio(encodeWav([onGrid, second], 96000, 'pcm24'));
    expect(d.format).toBe('WAV PCM 24-bit');
    expect(d.sampleRate).toBe(96000);
    expect(d.channels[0]).toEqual(onGrid);
    expect(d.channels[1]).toEqual(second);

    const offGrid = Float32Array.from({ length: 1000 }, (_, i) => Math.cos(i * 0.11) * 0.9);
    const r = await decodeAudio(encodeWav(offGrid, 96000, 'pcm24'));
    for (let i = 0; i < offGrid.length; i++) expect(Math.abs(r.channels[0][i] - offGrid[i])).toBeLessThanOrEqual(0.5 / 8388608 + 1e-12);
  });

  it('clips PCM to the integer range and writes NaN as 0', async () => {
    const x = Float32Array.from([1, 1.5, -1, -2, Infinity, -Infinity, NaN]);
    const d16 = await decodeAudio(encodeWav(x, 8000, 'pcm16'));
    expect(Array.from(d16.channels[0])).toEqual([32767, 32767, -32768, -32768, 32767, -32768, 0].map((v) => v / 32768));
    const d24 = await decodeAudio(encodeWav(x, 8000, 'pcm24'));
    expect(Array.from(d24.channels[0])).toEqual([8388607, 8388607, -8388608, -8388608, 8388607, -8388608, 0].map((v) => v / 8388608));
  });

  it('writes the expected PCM bytes (little-endian, interleaved, rounded to nearest)', () => {
    const bytes = encodeWav([Float32Array.from([0.5, -1 / 65536 - 1e-9]), Float32Array.from([-0.25, 3 / 32768])], 8000, 'pcm16');
    expect(bytes.length).toBe(44 + 8);
    expect(Array.from(bytes.subarray(44))).toEqual([0x00, 0x40, 0x00, 0xe0, 0xff, 0xff, 0x03, 0x00]);
    const b24 = encodeWav(Float32Array.from([-1, 0.5]), 8000, 'pcm24');
    expect(b24.length).toBe(44 + 6);
    expect(Array.from(b24.subarray(44))).toEqual([0x00, 0x00, 0x80, 0x00, 0x00, 0x40]);
  });

  it('pads an odd-sized data chunk and uses WAVE_FORMAT_EXTENSIBLE for more than two channels', async () => {
    const odd = encodeWav([Float32Array.from([0.5])], 8000, 'pcm24');
    expect(odd.length % 2).toBe(0);
    expect(new DataView(odd.buffer).getUint32(40, true)).toBe(3);

    const chans = [0.5, -0.5, 0.25].map((v) => Float32Array.from([v, -v]));
    const multi = encodeWav(chans, 48000, 'pcm24');
    expect(new DataView(multi.buffer).getUint16(20, true)).toBe(0xfffe);
    const d = await decodeAudio(multi);
    expect(d.channels).toEqual(chans);
    const f = await decodeAudio(encodeWav(chans, 48000, 'float32'));
    expect(f.format).toBe('WAV float 32-bit');
    expect(f.channels).toEqual(chans);
  });

  it('rejects channels of different lengths, bad sample rates and no channels', () => {
    expect(() => encodeWav([new Float32Array(3), new Float32Array(4)], 44100, 'pcm16')).toThrow(/channel 1 has 4 samples, channel 0 has 3/);
    expect(() => encodeWav(new Float32Array(3), 0, 'pcm16')).toThrow(/sample rate must be a positive integer, got 0/);
    expect(() => encodeWav(new Float32Array(3), 44100.5, 'float32')).toThrow(/sample rate/);
    expect(() => encodeWav([], 44100, 'float32')).toThrow(/need 1-65535 channels, got 0/);
  });

  it('writes an empty (0-frame) file that the decoder then refuses as having no audio', async () => {
    const bytes = encodeWav(new Float32Array(0), 44100, 'float32');
    await expect(decodeAudio(bytes)).rejects.toThrow("no audio data: 'data' chunk is empty");
  });
});
