/*
 * Writing WAV files: float32 (the dataset format) and 16/24-bit PCM.
 *
 * Hand-written rather than through `wavefile` so that PCM conversion is the exact inverse of our decoder's
 * scaling: x -> round(x * 2^(bits-1)), clipped to the integer range. A value that came from a 16-bit file
 * (k / 32768) is written back as exactly k, and any other value lands within half an LSB (plus clipping at +1,
 * which has no integer: +1.0 becomes 32767). wavefile's converter scales positive and negative halves by different
 * factors, which would break that round trip. The container itself is three fixed chunks.
 */

export type WavEncoding = 'float32' | 'pcm16' | 'pcm24';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function writeAscii(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
}

/** Round to the nearest integer and clip to [-full, full - 1]; NaN (which has no nearest integer) becomes 0. */
function toInt(x: number, full: number): number {
  if (Number.isNaN(x)) return 0;
  const v = Math.round(x * full);
  return v < -full ? -full : v > full - 1 ? full - 1 : v;
}

/**
 * Encode channels (one Float32Array, or one per channel, all the same length) as a WAV file.
 * Up to 2 channels use the plain PCM/float format tags; more use WAVE_FORMAT_EXTENSIBLE, as the WAV spec asks
 * for (with channel mask 0: no speaker positions claimed).
 */
export function encodeWav(channels: Float32Array | Float32Array[], sampleRate: number, encoding: WavEncoding): Uint8Array {
  const chans = channels instanceof Float32Array ? [channels] : channels;
  if (chans.length === 0 || chans.length > 65535) throw new RangeError(`encodeWav: need 1-65535 channels, got ${chans.length}`);
  const frames = chans[0].length;
  for (const [i, c] of chans.entries()) {
    if (c.length !== frames) throw new RangeError(`encodeWav: channel ${i} has ${c.length} samples, channel 0 has ${frames}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new RangeError(`encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  }
  if (encoding !== 'float32' && encoding !== 'pcm16' && encoding !== 'pcm24') {
    throw new RangeError(`encodeWav: unknown encoding '${String(encoding)}'`);
  }
  const n = chans.length;
  const bytesPerSample = encoding === 'pcm16' ? 2 : encoding === 'pcm24' ? 3 : 4;
  const isFloat = encoding === 'float32';
  const tag = isFloat ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM;
  const extensible = n > 2;
  const blockAlign = n * bytesPerSample;
  const dataSize = frames * blockAlign;
  // fmt body: 16 bytes for PCM; 18 (with cbSize = 0) for float; 40 for extensible.
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16;
  // Non-PCM formats must carry a 'fact' chunk with the frame count (the WAV spec; libsndfile writes it too).
  const factSize = isFloat ? 12 : 0;
  const pad = dataSize % 2;
  const total = 12 + 8 + fmtSize + factSize + 8 + dataSize + pad;
  if (total - 8 > 0xffffffff) throw new RangeError(`encodeWav: ${dataSize} bytes of samples exceed the 4 GiB WAV limit`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  writeAscii(view, 0, 'RIFF');
  view.setUint32(4, total - 8, true);
  writeAscii(view, 8, 'WAVE');
  let p = 12;
  writeAscii(view, p, 'fmt ');
  view.setUint32(p + 4, fmtSize, true);
  view.setUint16(p + 8, extensible ? WAVE_FORMAT_EXTENSIBLE : tag, true);
  view.setUint16(p + 10, n, true);
  view.setUint32(p + 12, sampleRate, true);
  view.setUint32(p + 16, sampleRate * blockAlign, true);
  view.setUint16(p + 20, blockAlign, true);
  view.setUint16(p + 22, bytesPerSample * 8, true);
  if (fmtSize >= 18) view.setUint16(p + 24, fmtSize - 18, true); // cbSize
  if (extensible) {
    view.setUint16(p + 26, bytesPerSample * 8, true); // valid bits
    view.setUint32(p + 28, 0, true); // channel mask: unspecified
    // Sub-format GUID {0000tttt-0000-0010-8000-00aa00389b71}.
    view.setUint16(p + 32, tag, true);
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], p + 34);
  }
  p += 8 + fmtSize;
  if (factSize) {
    writeAscii(view, p, 'fact');
    view.setUint32(p + 4, 4, true);
    view.setUint32(p + 8, frames, true);
    p += factSize;
  }
  writeAscii(view, p, 'data');
  view.setUint32(p + 4, dataSize, true);
  p += 8;
  for (let c = 0; c < n; c++) {
    const src = chans[c];
    let q = p + c * bytesPerSample;
    if (encoding === 'float32') {
      for (let i = 0; i < frames; i++, q += blockAlign) view.setFloat32(q, src[i], true);
    } else if (encoding === 'pcm16') {
      for (let i = 0; i < frames; i++, q += blockAlign) view.setInt16(q, toInt(src[i], 32768), true);
    } else {
      for (let i = 0; i < frames; i++, q += blockAlign) {
        const v = toInt(src[i], 8388608);
        out[q] = v & 0xff;
        out[q + 1] = (v >> 8) & 0xff;
        out[q + 2] = (v >> 16) & 0xff;
      }
    }
  }
  return out;
}
