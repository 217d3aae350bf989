import { AudioDecodeError } from './errors';

/*
 * Splitting a FLAC stream into frames, in our own code rather than the library's.
 *
 * @wasm-audio-decoders/flac finds frames with codec-parser, which (in the installed version) silently drops the
 * last frame of a stream when its last sample byte before the CRC is 0xFF (about 1 file in 256), and drops frames
 * that fail their CRC without reporting it (a bad early frame even shifts everything after it). So we find the
 * frames ourselves, the same way (a sync code, a header with a valid CRC-8, and a CRC-16 over the whole frame that
 * matches its last two bytes), and hand the wasm decoder one frame at a time through decodeFrames().
 *
 * Knowing exactly where each frame is lets us tell damage apart:
 * - a frame whose CRC-16 never checks out, followed later by good frames: corruption, the file is rejected;
 * - a last frame cut short with nothing valid after it: a truncated file, the whole frames before it are kept.
 *   Junk appended after the last frame looks the same (a frame only ends where the next one or the file begins),
 *   so it costs that last frame, with the same warning; the tags that players append (ID3v1, APEv2) are
 *   recognised and cut off first.
 */

const CRC8_TABLE = new Uint8Array(256);
const CRC16_TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let c8 = i;
  let c16 = i << 8;
  for (let b = 0; b < 8; b++) {
    c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff; // x^8 + x^2 + x + 1
    c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff; // x^16 + x^15 + x^2 + 1
  }
  CRC8_TABLE[i] = c8;
  CRC16_TABLE[i] = c16;
}

export interface FrameHeader {
  /** Bytes in the header, CRC-8 included. */
  length: number;
  blockSize: number;
  /** 0 means "see STREAMINFO". */
  rateCode: number;
  /** 0 means "see STREAMINFO". */
  sampleSizeCode: number;
}

/** Parse a frame header at `p` if there is a valid one there (sync code, legal fields, CRC-8). */
export function frameHeaderAt(bytes: Uint8Array, p: number): FrameHeader | undefined {
  if (p + 6 > bytes.length || bytes[p] !== 0xff || (bytes[p + 1] & 0xfe) !== 0xf8) return undefined;
  const bsCode = bytes[p + 2] >> 4;
  const rateCode = bytes[p + 2] & 0x0f;
  const channelCode = bytes[p + 3] >> 4;
  const sampleSizeCode = (bytes[p + 3] >> 1) & 0x07;
  if (bsCode === 0 || rateCode === 15 || channelCode > 10 || sampleSizeCode === 3 || bytes[p + 3] & 1) return undefined;
  // Frame/sample number in FLAC's UTF-8-like coding: the count of leading 1 bits is its length in bytes.
  const lead = bytes[p + 4];
  let numberLength = 1;
  if (lead & 0x80) {
    numberLength = 0;
    for (let bit = 0x80; lead & bit; bit >>= 1) numberLength++;
    if (numberLength < 2 || numberLength > 7) return undefined;
    for (let i = 1; i < numberLength; i++) if ((bytes[p + 4 + i] & 0xc0) !== 0x80) return undefined;
  }
  let at = p + 4 + numberLength;
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 * 2 ** (bsCode - 2);
  else if (bsCode === 6) blockSize = bytes[at++] + 1;
  else if (bsCode === 7) {
    blockSize = ((bytes[at] << 8) | bytes[at + 1]) + 1;
    at += 2;
  } else blockSize = 256 * 2 ** (bsCode - 8);
  at += rateCode === 12 ? 1 : rateCode >= 13 ? 2 : 0;
  if (at + 1 > bytes.length) return undefined;
  let crc = 0;
  for (let i = p; i < at; i++) crc = CRC8_TABLE[crc ^ bytes[i]];
  if (crc !== bytes[at]) return undefined;
  return { length: at + 1 - p, blockSize, rateCode, sampleSizeCode };
}

/**
 * End of the frame starting at `start` (exclusive): the first point after it where the CRC-16 of the bytes so far
 * matches the two bytes before that point and either another valid frame header or `end` follows. -1 if none.
 */
export function frameEnd(bytes: Uint8Array, start: number, headerLength: number, end: number): number {
  // crc0 = CRC-16 over [start, i), crc1 over [start, i-1), crc2 over [start, i-2).
  let crc0 = 0;
  let crc1 = 0;
  let crc2 = 0;
  const minEnd = start + headerLength + 3; // header, at least one subframe byte, CRC-16
  for (let i = start; i <= end; i++) {
    if (i >= minEnd && crc2 === ((bytes[i - 2] << 8) | bytes[i - 1]) && (i === end || (bytes[i] === 0xff && frameHeaderAt(bytes, i)))) {
      return i;
    }
    if (i === end) break;
    crc2 = crc1;
    crc1 = crc0;
    crc0 = ((crc0 << 8) & 0xffff) ^ CRC16_TABLE[(crc0 >> 8) ^ bytes[i]];
  }
  return -1;
}

/** Is there a whole, checksum-valid frame starting anywhere in [from, end)? */
function hasValidFrameAfter(bytes: Uint8Array, from: number, end: number): boolean {
  for (let q = from; q < end - 1; q++) {
    if (bytes[q] !== 0xff) continue;
    const header = frameHeaderAt(bytes, q);
    if (header && frameEnd(bytes, q, header.length, end) >= 0) return true;
  }
  return false;
}

/** Where the FLAC stream ends: before an ID3v1 tag ('TAG' + 125 bytes) and/or an APEv2 tag, if appended. */
function streamEnd(bytes: Uint8Array, audioOffset: number): number {
  let end = bytes.length;
  if (end - audioOffset >= 128 && bytes[end - 128] === 0x54 && bytes[end - 127] === 0x41 && bytes[end - 126] === 0x47) end -= 128;
  const footer = end - 32;
  if (footer >= audioOffset && String.fromCharCode(...bytes.subarray(footer, footer + 8)) === 'APETAGEX') {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = view.getUint32(footer + 12, true); // items + footer
    const hasHeader = (view.getUint32(footer + 20, true) & 0x80000000) !== 0;
    const total = size + (hasHeader ? 32 : 0);
    if (total >= 32 && total <= end - audioOffset) end -= total;
  }
  return end;
}

export interface FrameSplit {
  frames: Uint8Array[];
  /** Samples per channel in `frames`, from their headers. */
  samples: number;
  /** Bytes at the end that are the start of an incomplete frame (0 when the stream ends cleanly). */
  incompleteTail: number;
  /** True when the split stopped early because the frames found so far hold more than `maxSamples`. */
  overLimit?: boolean;
}

/**
 * Split the audio part of a FLAC stream (from `audioOffset`) into frames; see the top of this file. Stops, with
 * `overLimit`, as soon as the frames found hold more than `maxSamples` samples per channel: a stream of silence
 * packs a minute into a few hundred bytes, so the count of frames, not the file size, bounds what decoding costs.
 */
export function splitFrames(bytes: Uint8Array, audioOffset: number, maxSamples = Infinity): FrameSplit {
  const end = streamEnd(bytes, audioOffset);
  const frames: Uint8Array[] = [];
  let samples = 0;
  let pos = audioOffset;
  while (pos < end) {
    const header = frameHeaderAt(bytes, pos);
    if (!header) {
      // Only possible before the first frame: every later frame starts where frameEnd() saw a valid header.
      throw new AudioDecodeError(`corrupt FLAC data: no valid frame header where the audio starts (byte ${pos})`);
    }
    if (header.rateCode === 0 || header.sampleSizeCode === 0) {
      // The wasm decoder only ever sees frames, never STREAMINFO, so it cannot follow these. libFLAC writes them
      // only for rates no header code can express (e.g. 100001 Hz, outside the streamable subset).
      const what = header.rateCode === 0 ? 'sample rate' : 'bit depth';
      throw new AudioDecodeError(`unsupported FLAC stream: frame headers take the ${what} from STREAMINFO, which the decoder cannot follow`);
    }
    const next = frameEnd(bytes, pos, header.length, end);
    if (next < 0) {
      if (hasValidFrameAfter(bytes, pos + 1, end)) {
        throw new AudioDecodeError(`corrupt FLAC data: frame ${frames.length} (byte ${pos}) fails its CRC-16 check`);
      }
      return { frames, samples, incompleteTail: end - pos };
    }
    frames.push(bytes.subarray(pos, next));
    samples += header.blockSize;
    pos = next;
    if (samples > maxSamples) return { frames, samples, incompleteTail: 0, overLimit: true };
  }
  return { frames, samples, incompleteTail: 0 };
}
