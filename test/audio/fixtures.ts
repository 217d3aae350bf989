/**
 * Builders for audio files that the audio tests decode: WAV/RF64 with arbitrary chunks, AIFF/AIFC with an 80-bit
 * sample rate, and a minimal FLAC writer (VERBATIM subframes, real CRC-8/CRC-16). They are written independently
 * of src/audio (no imports from it) so that a bug there cannot hide itself by also being in the fixture.
 * Sample values are given as integers per channel, so the expected float is simply value / 2^(bits-1).
 */

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function concat(parts: ArrayLike<number>[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function u16le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}
function u32le(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}
function u16be(v: number): number[] {
  return [(v >>> 8) & 0xff, v & 0xff];
}
function u32be(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

// ---------------------------------------------------------------------------------------------------------------
// Sample packing

/** Interleave integer samples (channels[c][i]) into `bits`-wide two's-complement (or offset-binary) bytes. */
export function packInts(
  channels: number[][],
  bits: number,
  opts: { littleEndian: boolean; unsigned8?: boolean; containerBytes?: number },
): Uint8Array {
  const width = opts.containerBytes ?? Math.ceil(bits / 8);
  const frames = channels[0].length;
  const out = new Uint8Array(frames * channels.length * width);
  let o = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      // Left-justify narrower samples in their container, as WAV and AIFF both do.
      let v = ch[i] * 2 ** (width * 8 - bits);
      if (width === 1 && opts.unsigned8) v += 128;
      const u = v < 0 ? v + 2 ** (width * 8) : v;
      const be: number[] = [];
      for (let b = width - 1; b >= 0; b--) be.push(Math.floor(u / 2 ** (8 * b)) & 0xff);
      out.set(opts.littleEndian ? be.reverse() : be, o);
      o += width;
    }
  }
  return out;
}

export function packFloats(channels: number[][], bytes: 4 | 8, littleEndian: boolean): Uint8Array {
  const frames = channels[0].length;
  const out = new Uint8Array(frames * channels.length * bytes);
  const view = new DataView(out.buffer);
  let o = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      if (bytes === 4) view.setFloat32(o, ch[i], littleEndian);
      else view.setFloat64(o, ch[i], littleEndian);
      o += bytes;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// WAV

export interface RiffChunk {
  id: string;
  body: ArrayLike<number>;
  /** Size written in the header instead of body.length (e.g. larger, to fake truncation). */
  declaredSize?: number;
  /** Leave out the pad byte after an odd-sized body (a common writer bug). */
  omitPad?: boolean;
}

export function riffFile(chunks: RiffChunk[], opts: { magic?: string; form?: string; riffSize?: number } = {}): Uint8Array {
  const parts: ArrayLike<number>[] = [];
  for (const c of chunks) {
    parts.push(ascii(c.id), u32le(c.declaredSize ?? c.body.length), c.body);
    if (c.body.length % 2 === 1 && !c.omitPad) parts.push([0]);
  }
  const body = concat(parts);
  const size = opts.riffSize ?? body.length + 4;
  return concat([ascii(opts.magic ?? 'RIFF'), u32le(size), ascii(opts.form ?? 'WAVE'), body]);
}

export interface FmtOptions {
  tag: number;
  channels: number;
  sampleRate: number;
  bits: number;
  /** Write WAVE_FORMAT_EXTENSIBLE with this sub-format tag (and optionally a foreign GUID tail). */
  extensible?: { subFormat: number; validBits?: number; guidTail?: number[] };
}

const KSDATAFORMAT_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export function fmtChunk(o: FmtOptions): RiffChunk {
  const width = Math.ceil(o.bits / 8);
  const blockAlign = o.channels * width;
  const basic = [
    ...u16le(o.extensible ? 0xfffe : o.tag),
    ...u16le(o.channels),
    ...u32le(o.sampleRate),
    ...u32le(o.sampleRate * blockAlign),
    ...u16le(blockAlign),
    ...u16le(o.bits),
  ];
  if (!o.extensible) return { id: 'fmt ', body: basic };
  const ext = [
    ...u16le(22),
    ...u16le(o.extensible.validBits ?? o.bits),
    ...u32le(o.channels === 2 ? 0x3 : 0),
    ...u16le(o.extensible.subFormat),
    ...(o.extensible.guidTail ?? KSDATAFORMAT_TAIL),
  ];
  return { id: 'fmt ', body: [...basic, ...ext] };
}

/** A complete WAV from integer samples: PCM (tag 1) at `bits`, 8-bit as offset binary. */
export function pcmWav(channels: number[][], bits: number, sampleRate: number, extra: { before?: RiffChunk[]; after?: RiffChunk[] } = {}): Uint8Array {
  return riffFile([
    fmtChunk({ tag: 1, channels: channels.length, sampleRate, bits }),
    ...(extra.before ?? []),
    { id: 'data', body: packInts(channels, bits, { littleEndian: true, unsigned8: true }) },
    ...(extra.after ?? []),
  ]);
}

export function floatWav(channels: number[][], bytes: 4 | 8, sampleRate: number): Uint8Array {
  return riffFile([
    fmtChunk({ tag: 3, channels: channels.length, sampleRate, bits: bytes * 8 }),
    { id: 'fact', body: u32le(channels[0].length) },
    { id: 'data', body: packFloats(channels, bytes, true) },
  ]);
}

/** RF64: 'ds64' first with the 64-bit sizes, RIFF and data sizes set to 0xFFFFFFFF. */
export function rf64Wav(channels: number[][], bits: number, sampleRate: number): Uint8Array {
  const data = packInts(channels, bits, { littleEndian: true, unsigned8: true });
  const ds64 = [...u32le(0), ...u32le(0), ...u32le(data.length), ...u32le(0), ...u32le(channels[0].length), ...u32le(0), ...u32le(0)];
  return riffFile(
    [
      { id: 'ds64', body: ds64 },
      fmtChunk({ tag: 1, channels: channels.length, sampleRate, bits }),
      { id: 'data', body: data, declaredSize: 0xffffffff },
    ],
    { magic: 'RF64', riffSize: 0xffffffff },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// AIFF / AIFC

/** IEEE 80-bit extended, big-endian, for a positive rate. */
export function extended80(value: number): number[] {
  const exponent = Math.floor(Math.log2(value));
  const mantissa = BigInt(Math.round(value * 2 ** (63 - exponent)));
  const out = u16be(exponent + 16383);
  for (let b = 7; b >= 0; b--) out.push(Number((mantissa >> BigInt(8 * b)) & 0xffn));
  return out;
}

export interface IffChunk {
  id: string;
  body: ArrayLike<number>;
  declaredSize?: number;
}

export function iffFile(form: string, chunks: IffChunk[]): Uint8Array {
  const parts: ArrayLike<number>[] = [];
  for (const c of chunks) {
    parts.push(ascii(c.id), u32be(c.declaredSize ?? c.body.length), c.body);
    if (c.body.length % 2 === 1) parts.push([0]);
  }
  const body = concat(parts);
  return concat([ascii('FORM'), u32be(body.length + 4), ascii(form), body]);
}

export function commChunk(o: { channels: number; frames: number; bits: number; sampleRate: number; compression?: string; name?: string }): IffChunk {
  const body = [...u16be(o.channels), ...u32be(o.frames), ...u16be(o.bits), ...extended80(o.sampleRate)];
  if (o.compression !== undefined) {
    const name = ascii(o.name ?? 'not compressed');
    body.push(...ascii(o.compression), name.length, ...name);
    if ((name.length + 1) % 2 === 1) body.push(0); // pstrings are padded to an even total length
  }
  return { id: 'COMM', body };
}

export function ssndChunk(samples: Uint8Array, offset = 0): IffChunk {
  return { id: 'SSND', body: [...u32be(offset), ...u32be(0), ...new Array<number>(offset).fill(0xee), ...samples] };
}

/** AIFF (big-endian PCM) or, with `compression`, AIFC. Integer samples unless compression is fl32/fl64. */
export function aiffFile(
  channels: number[][],
  bits: number,
  sampleRate: number,
  opts: { compression?: string; ssndOffset?: number; extra?: IffChunk[] } = {},
): Uint8Array {
  const c = opts.compression;
  const samples =
    c === 'fl32' || c === 'FL32'
      ? packFloats(channels, 4, false)
      : c === 'fl64' || c === 'FL64'
        ? packFloats(channels, 8, false)
        : packInts(channels, bits, { littleEndian: c === 'sowt', unsigned8: c === 'raw ' });
  const chunks: IffChunk[] = [];
  if (c !== undefined) chunks.push({ id: 'FVER', body: u32be(0xa2805140) });
  chunks.push(commChunk({ channels: channels.length, frames: channels[0].length, bits, sampleRate, compression: c }));
  chunks.push(...(opts.extra ?? []));
  chunks.push(ssndChunk(samples, opts.ssndOffset ?? 0));
  return iffFile(c === undefined ? 'AIFF' : 'AIFC', chunks);
}

// ---------------------------------------------------------------------------------------------------------------
// FLAC

class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    // Two's complement for negative values, MSB first.
    let u = value < 0 ? value + 2 ** bits : value;
    for (let b = bits - 1; b >= 0; b--) {
      const bit = Math.floor(u / 2 ** b) & 1;
      u -= bit * 2 ** b;
      this.acc = (this.acc << 1) | bit;
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  alignZero(): void {
    while (this.n !== 0) this.write(0, 1);
  }
  get data(): number[] {
    return this.bytes;
  }
}

/** CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), init 0: FLAC frame headers. */
export function crc8(data: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i];
    for (let b = 0; b < 8; b++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/** CRC-16, polynomial x^16 + x^15 + x^2 + 1 (0x8005), init 0: whole FLAC frames. */
export function crc16(data: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < data.length; i++) {
    crc ^= data[i] << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** FLAC's UTF-8-like coding of the frame number. */
function utf8Number(v: number): number[] {
  if (v < 0x80) return [v];
  const out: number[] = [];
  let len = 2;
  while (v >= 2 ** (5 * len + 1)) len++;
  for (let i = len - 1; i > 0; i--) {
    out.unshift(0x80 | (v & 0x3f));
    v = Math.floor(v / 64);
  }
  out.unshift(((0xff << (8 - len)) & 0xff) | v);
  return out;
}

const SAMPLE_SIZE_CODES: Record<number, number> = { 8: 1, 12: 2, 16: 4, 20: 5, 24: 6 };
const RATE_CODES: Record<number, number> = { 88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11 };

export interface FlacOptions {
  blockSize?: number;
  /** STREAMINFO total samples; default the true count (0 would mean unknown). */
  totalSamples?: number;
  /** Extra metadata blocks after STREAMINFO, e.g. PADDING (type 1) or VORBIS_COMMENT (type 4). */
  extraBlocks?: { type: number; body: number[] }[];
}

function flacFrame(channels: number[][], start: number, size: number, bits: number, sampleRate: number, frameNumber: number): number[] {
  const header: number[] = [0xff, 0xf8];
  const bsCode = size <= 256 ? 6 : 7;
  let rateCode = RATE_CODES[sampleRate];
  const rateExtra: number[] = [];
  if (rateCode === undefined) {
    if (sampleRate % 1000 === 0 && sampleRate / 1000 < 256) {
      rateCode = 12;
      rateExtra.push(sampleRate / 1000);
    } else if (sampleRate < 65536) {
      rateCode = 13;
      rateExtra.push(...u16be(sampleRate));
    } else if (sampleRate % 10 === 0 && sampleRate / 10 < 65536) {
      rateCode = 14;
      rateExtra.push(...u16be(sampleRate / 10));
    } else {
      rateCode = 0; // from STREAMINFO
    }
  }
  header.push((bsCode << 4) | rateCode);
  header.push(((channels.length - 1) << 4) | (SAMPLE_SIZE_CODES[bits] << 1));
  header.push(...utf8Number(frameNumber));
  if (bsCode === 6) header.push(size - 1);
  else header.push(...u16be(size - 1));
  header.push(...rateExtra);
  header.push(crc8(header));
  const w = new BitWriter();
  for (const ch of channels) {
    w.write(0, 1); // zero padding bit
    w.write(1, 6); // VERBATIM
    w.write(0, 1); // no wasted bits
    for (let i = start; i < start + size; i++) w.write(ch[i], bits);
  }
  w.alignZero();
  const frame = [...header, ...w.data];
  return [...frame, ...u16be(crc16(frame))];
}

/** A FLAC stream of VERBATIM subframes holding exactly the given integer samples. */
export function flacFile(channels: number[][], bits: 8 | 12 | 16 | 20 | 24, sampleRate: number, opts: FlacOptions = {}): Uint8Array {
  const frames = channels[0].length;
  const blockSize = opts.blockSize ?? 192;
  const total = opts.totalSamples ?? frames;
  const extra = opts.extraBlocks ?? [];
  const info = new BitWriter();
  info.write(blockSize, 16); // min block size
  info.write(blockSize, 16); // max block size
  info.write(0, 24); // min frame size: unknown
  info.write(0, 24); // max frame size: unknown
  info.write(sampleRate, 20);
  info.write(channels.length - 1, 3);
  info.write(bits - 1, 5);
  info.write(total, 36);
  for (let i = 0; i < 16; i++) info.write(0, 8); // MD5 unknown
  const parts: ArrayLike<number>[] = [ascii('fLaC')];
  parts.push([extra.length === 0 ? 0x80 : 0x00, 0, 0, 34], info.data);
  extra.forEach((b, i) => {
    const last = i === extra.length - 1 ? 0x80 : 0;
    parts.push([last | b.type, (b.body.length >> 16) & 0xff, (b.body.length >> 8) & 0xff, b.body.length & 0xff], b.body);
  });
  for (let start = 0, n = 0; start < frames; start += blockSize, n++) {
    parts.push(flacFrame(channels, start, Math.min(blockSize, frames - start), bits, sampleRate, n));
  }
  return concat(parts);
}

/**
 * A FLAC stream of CONSTANT subframes: `frames` samples per channel, every one of them `value` (0: silence), in
 * blocks of up to 65535 samples, so that an hour of audio takes a few kilobytes (the compression that lets a small
 * upload declare, and decode to, gigabytes). `totalSamples` is written into STREAMINFO (default: the true count;
 * 0 means "unknown").
 */
export function constantFlac(frames: number, channels: number, sampleRate: number, opts: { value?: number; totalSamples?: number; blockSize?: number } = {}): Uint8Array {
  const bits = 16;
  const blockSize = opts.blockSize ?? 65535;
  const value = opts.value ?? 0;
  const info = new BitWriter();
  info.write(blockSize, 16); // min block size
  info.write(blockSize, 16); // max block size
  info.write(0, 24);
  info.write(0, 24);
  info.write(sampleRate, 20);
  info.write(channels - 1, 3);
  info.write(bits - 1, 5);
  const total = opts.totalSamples ?? frames;
  info.write(Math.floor(total / 2 ** 32), 4);
  info.write(total % 2 ** 32, 32);
  for (let i = 0; i < 16; i++) info.write(0, 8);
  const parts: ArrayLike<number>[] = [ascii('fLaC'), [0x80, 0, 0, 34], info.data];
  const rateCode = RATE_CODES[sampleRate];
  if (rateCode === undefined) throw new RangeError(`constantFlac: no frame-header code for ${sampleRate} Hz`);
  for (let start = 0, n = 0; start < frames; start += blockSize, n++) {
    const size = Math.min(blockSize, frames - start);
    const header = [0xff, 0xf8, (7 << 4) | rateCode, ((channels - 1) << 4) | (SAMPLE_SIZE_CODES[bits] << 1), ...utf8Number(n), ...u16be(size - 1)];
    header.push(crc8(header));
    const w = new BitWriter();
    for (let c = 0; c < channels; c++) {
      w.write(0, 8); // zero padding bit, CONSTANT (000000), no wasted bits
      w.write(value & 0xffff, bits);
    }
    w.alignZero();
    const frame = [...header, ...w.data];
    parts.push(frame, u16be(crc16(frame)));
  }
  return concat(parts);
}

/**
 * A FLAC stream that is slow to take apart, not to decode: after STREAMINFO, `blocks` copies of one block (a valid
 * frame header, then filler) in which no frame ever ends, because no CRC-16 matches where a frame could end. A
 * decoder that looks for the end of each candidate frame up to the end of the file does `blocks` × size / 2 steps
 * before concluding that the first frame is incomplete: quadratic in the size, seconds of work for a few hundred
 * kilobytes. The block repeats exactly (frame numbers are not checked when searching), so whether a frame could end
 * depends only on how many blocks it spans, and a filler with no such match is found by checking `blocks` CRCs.
 */
export function slowFlac(blocks: number, fillerBytes = 10, seed = 1): Uint8Array {
  // Frame header: sync, 192-sample blocks (code 1), 8000 Hz (code 4), mono, 16-bit (code 4), frame number 0.
  const header = [0xff, 0xf8, (1 << 4) | 4, (0 << 4) | (4 << 1), 0x00];
  header.push(crc8(header));
  if (header.slice(1).includes(0xff)) throw new Error('slowFlac: a header byte other than the first is 0xFF');
  let state = seed >>> 0;
  const nextByte = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 24) % 0xff; // 0..254: never a sync byte
  };
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    table[i] = c;
  }
  const update = (crc: number, bytes: ArrayLike<number>, end = bytes.length) => {
    for (let i = 0; i < end; i++) crc = ((crc << 8) & 0xffff) ^ table[(crc >> 8) ^ bytes[i]];
    return crc;
  };
  for (let attempt = 0; attempt < 1000; attempt++) {
    const block = [...header, ...Array.from({ length: fillerBytes }, nextByte)];
    const last = (block[block.length - 2] << 8) | block[block.length - 1];
    // A frame starting m blocks before a header (or the end of the file) ends there only if the CRC-16 of the
    // bytes up to two before that point equals those two bytes.
    let crc = 0;
    let matches = false;
    for (let m = 1; m <= blocks && !matches; m++) {
      matches = update(crc, block, block.length - 2) === last;
      crc = update(crc, block);
    }
    if (matches) continue;
    const info = new BitWriter();
    info.write(192, 16);
    info.write(192, 16);
    info.write(0, 24);
    info.write(0, 24);
    info.write(8000, 20);
    info.write(0, 3);
    info.write(15, 5);
    info.write(0, 4);
    info.write(192, 32); // one frame declared: nothing to refuse in the header
    for (let i = 0; i < 16; i++) info.write(0, 8);
    const out = new Uint8Array(8 + 34 + blocks * block.length);
    out.set([...ascii('fLaC'), 0x80, 0, 0, 34, ...info.data]);
    for (let b = 0; b < blocks; b++) out.set(block, 42 + b * block.length);
    return out;
  }
  throw new Error('slowFlac: no filler without a CRC match in 1000 attempts');
}

// ---------------------------------------------------------------------------------------------------------------
// Test signals

/** Deterministic integer test samples that hit both extremes, zero and a spread of values in between. */
export function intRamp(length: number, bits: number, phase = 0): number[] {
  const full = 2 ** (bits - 1);
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    const k = (i * 7919 + phase * 104729) % length;
    out.push(Math.round(-full + ((2 * full - 1) * k) / Math.max(1, length - 1)) || 0); // no -0
  }
  out[0] = -full;
  if (length > 1) out[1] = full - 1;
  if (length > 2) out[2] = 0;
  return out;
}

export function expectedFloats(ints: number[], bits: number): Float32Array {
  return Float32Array.from(ints, (v) => v / 2 ** (bits - 1));
}
