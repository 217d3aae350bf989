import { AudioDecodeError } from './errors';
import { plural } from './bytes';

/*
 * The Ogg container (RFC 3533), read by us rather than by the decoders' own parser (codec-parser, bundled into
 * them), for the same reason FLAC frames are found by us (flac-frames.ts): the decoders skip what they cannot parse
 * and never say that a file was cut short, that a page failed its checksum or that a page is missing. Here every page
 * is checked (capture pattern, version, CRC, sequence number, continuation flags), so that a damaged file is refused
 * with a reason and a truncated one keeps what is whole, with a warning, like truncated WAV, AIFF and FLAC.
 *
 * Only the first logical stream is read: sample files hold one. What follows its end-of-stream page (a chained
 * stream, appended data) is ignored with a warning; a file that multiplexes several streams (e.g. audio beside a
 * video) is refused.
 */

/** Header type flags of a page. */
const CONTINUED = 0x01;
const BEGINS_STREAM = 0x02;
const ENDS_STREAM = 0x04;
const PAGE_HEADER_BYTES = 27;

export interface OggPage {
  /** Byte offset of the page in the file. */
  offset: number;
  /** Sequence number within the stream (0 for the first page). */
  sequence: number;
  /** Granule position, or -1 when no packet ends on this page. Codec-specific (a sample count for Vorbis/Opus). */
  granule: number;
  endsStream: boolean;
  /** How many packets end on this page. */
  packetsEnding: number;
}

export interface OggPacket {
  data: Uint8Array;
  /** Index (in OggStream.pages) of the page on which the packet ends. */
  page: number;
}

export interface OggStream {
  pages: OggPage[];
  /** The complete packets, in order. */
  packets: OggPacket[];
  /** Byte offset just past the last page read: bytes.subarray(0, end) holds every page in `pages`. */
  end: number;
  /** Why the stream is incomplete, or what was ignored after it; absent when the stream is whole and alone. */
  warning?: string;
}

/** Ogg's CRC-32: polynomial 0x04C11DB7, MSB first, initial value 0, no final XOR (RFC 3533 §6). */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** The Ogg CRC of `bytes`, with the four bytes at `zeroFrom` (a page's own CRC field) counted as zeros. */
export function oggCrc(bytes: Uint8Array, zeroFrom = -1): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = zeroFrom >= 0 && i >= zeroFrom && i < zeroFrom + 4 ? 0 : bytes[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]!) >>> 0;
  }
  return crc;
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** A 64-bit little-endian granule position as a number; -1 stays -1 (no packet ends on the page). */
function granuleAt(bytes: Uint8Array, at: number): number {
  const low = u32le(bytes, at);
  const high = u32le(bytes, at + 4);
  if (low === 0xffffffff && high === 0xffffffff) return -1;
  // Sample counts beyond 2^53 (thousands of years at 48 kHz) are nonsense; as a float they still compare sensibly.
  return high * 2 ** 32 + low;
}

function isCapturePattern(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0x4f && bytes[at + 1] === 0x67 && bytes[at + 2] === 0x67 && bytes[at + 3] === 0x53; // 'OggS'
}

/**
 * The pages and packets of the file's first logical stream, every page checked. `codec` names the stream in
 * messages ('Vorbis', 'Opus'). Throws AudioDecodeError for damage inside the stream; a stream cut short keeps its
 * whole pages (and the packets completed on them) and says so in `warning`.
 */
export function readOggStream(bytes: Uint8Array, codec: string): OggStream {
  const pages: OggPage[] = [];
  const packets: OggPacket[] = [];
  let serial = -1;
  let pending: Uint8Array[] = []; // segments of a packet that continues on the next page
  let pos = 0;
  let ended = false;
  let warning: string | undefined;
  const where = (index: number, at: number) => `page ${index + 1} (byte ${at})`;

  while (pos < bytes.length && !ended) {
    const index = pages.length;
    const remaining = bytes.length - pos;
    if (remaining < PAGE_HEADER_BYTES || !isCapturePattern(bytes, pos)) {
      if (remaining < PAGE_HEADER_BYTES && (remaining < 4 || isCapturePattern(bytes, pos))) {
        warning = `truncated file: the Ogg ${codec} stream is cut short inside the header of ${where(index, pos)}`;
        break;
      }
      throw new AudioDecodeError(`corrupt Ogg data: no Ogg page where ${where(index, pos)} should start (the stream has not ended)`);
    }
    if (bytes[pos + 4] !== 0) throw new AudioDecodeError(`corrupt Ogg data: ${where(index, pos)} has version ${bytes[pos + 4]}, not 0`);
    const flags = bytes[pos + 5]!;
    const pageSerial = u32le(bytes, pos + 14);
    const sequence = u32le(bytes, pos + 18);
    const segmentCount = bytes[pos + 26]!;
    const bodyStart = pos + PAGE_HEADER_BYTES + segmentCount;
    if (bodyStart > bytes.length) {
      warning = `truncated file: the Ogg ${codec} stream is cut short inside the header of ${where(index, pos)}`;
      break;
    }
    let bodyLength = 0;
    for (let s = 0; s < segmentCount; s++) bodyLength += bytes[pos + PAGE_HEADER_BYTES + s]!;
    const pageEnd = bodyStart + bodyLength;
    if (pageEnd > bytes.length) {
      warning = `truncated file: the Ogg ${codec} stream is cut short inside ${where(index, pos)} (${plural(bytes.length - bodyStart, 'byte')} of its ${bodyLength})`;
      break;
    }
    const page = bytes.subarray(pos, pageEnd);
    if (oggCrc(page, 22) !== u32le(bytes, pos + 22)) {
      throw new AudioDecodeError(`corrupt Ogg data: ${where(index, pos)} fails its checksum (CRC)`);
    }

    if (index === 0) {
      if (!(flags & BEGINS_STREAM)) throw new AudioDecodeError('corrupt Ogg data: the first page does not begin a stream');
      serial = pageSerial;
    } else if (pageSerial !== serial) {
      if (flags & BEGINS_STREAM) {
        throw new AudioDecodeError(`unsupported file: Ogg file with more than one logical stream (a second one begins at ${where(index, pos)})`);
      }
      throw new AudioDecodeError(`corrupt Ogg data: ${where(index, pos)} belongs to no stream that has begun (serial number ${pageSerial})`);
    } else if (sequence !== pages[index - 1]!.sequence + 1) {
      throw new AudioDecodeError(
        `corrupt Ogg data: page sequence jumps from ${pages[index - 1]!.sequence} to ${sequence} at byte ${pos} (${plural(Math.abs(sequence - pages[index - 1]!.sequence - 1), 'page')} missing or out of order)`,
      );
    }
    if (Boolean(flags & CONTINUED) !== pending.length > 0) {
      throw new AudioDecodeError(
        pending.length > 0
          ? `corrupt Ogg data: a packet continues past ${where(index - 1, pages[index - 1]!.offset)} but the next page does not continue it`
          : `corrupt Ogg data: ${where(index, pos)} continues a packet that no earlier page began`,
      );
    }

    let segmentStart = bodyStart;
    let packetsEnding = 0;
    for (let s = 0; s < segmentCount; s++) {
      const lacing = bytes[pos + PAGE_HEADER_BYTES + s]!;
      pending.push(bytes.subarray(segmentStart, segmentStart + lacing));
      segmentStart += lacing;
      if (lacing < 255) {
        packets.push({ data: joined(pending), page: index });
        pending = [];
        packetsEnding++;
      }
    }
    ended = (flags & ENDS_STREAM) !== 0;
    pages.push({ offset: pos, sequence, granule: granuleAt(bytes, pos + 6), endsStream: ended, packetsEnding });
    pos = pageEnd;
  }

  if (ended && pending.length > 0) {
    throw new AudioDecodeError(`corrupt Ogg data: the last packet continues past the end-of-stream page`);
  }
  if (ended && pos < bytes.length) {
    warning = `ignored ${plural(bytes.length - pos, 'byte')} after the end of the Ogg ${codec} stream (a chained stream or appended data)`;
  } else if (!ended && warning === undefined) {
    warning = `truncated file: the Ogg ${codec} stream has no end-of-stream page (cut short after ${plural(pages.length, 'whole page')})`;
  }
  const stream: OggStream = { pages, packets, end: pos };
  if (warning !== undefined) stream.warning = warning;
  return stream;
}

/**
 * The granule position of the file's last whole Ogg page that has one, found from the end without reading the rest
 * (for declaredSize): the last 'OggS' whose page is complete and passes its CRC. Null when there is none.
 */
export function lastGranule(bytes: Uint8Array): number | null {
  const maxPage = PAGE_HEADER_BYTES + 255 + 255 * 255;
  for (let pos = bytes.length - PAGE_HEADER_BYTES; pos >= Math.max(0, bytes.length - 2 * maxPage); pos--) {
    if (!isCapturePattern(bytes, pos) || bytes[pos + 4] !== 0) continue;
    const segmentCount = bytes[pos + 26]!;
    const bodyStart = pos + PAGE_HEADER_BYTES + segmentCount;
    if (bodyStart > bytes.length) continue;
    let pageEnd = bodyStart;
    for (let s = 0; s < segmentCount; s++) pageEnd += bytes[pos + PAGE_HEADER_BYTES + s]!;
    if (pageEnd > bytes.length || oggCrc(bytes.subarray(pos, pageEnd), 22) !== u32le(bytes, pos + 22)) continue;
    const granule = granuleAt(bytes, pos + 6);
    if (granule >= 0) return granule;
  }
  return null;
}

/** The first packet on the first page, if that page holds it whole (the codec's identification header). */
export function firstPacket(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < PAGE_HEADER_BYTES || !isCapturePattern(bytes, 0)) return null;
  const segmentCount = bytes[26]!;
  let length = 0;
  let s = 0;
  for (; s < segmentCount; s++) {
    const lacing = bytes[PAGE_HEADER_BYTES + s]!;
    length += lacing;
    if (lacing < 255) break;
  }
  const start = PAGE_HEADER_BYTES + segmentCount;
  if (s === segmentCount || start + length > bytes.length) return null;
  return bytes.subarray(start, start + length);
}

function joined(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** What codec an Ogg stream carries, from the start of its first packet (on the first page). */
export type OggCodec = 'vorbis' | 'opus';

/**
 * The codec of the Ogg stream starting at byte 0, read from the first page's first packet; other codecs are named in
 * an AudioDecodeError. Reads the first page's header and the packet's first bytes only.
 */
export function oggCodec(bytes: Uint8Array): OggCodec {
  if (bytes.length < PAGE_HEADER_BYTES) {
    throw new AudioDecodeError(`truncated header: file is ${plural(bytes.length, 'byte')}, too short for an Ogg page`);
  }
  const body = PAGE_HEADER_BYTES + bytes[26]!;
  const text = (from: number, length: number) => String.fromCharCode(...bytes.subarray(body + from, body + from + length));
  if (body + 8 > bytes.length) throw new AudioDecodeError('truncated header: the file ends inside the first Ogg page');
  if (bytes[body] === 0x01 && text(1, 6) === 'vorbis') return 'vorbis';
  if (text(0, 8) === 'OpusHead') return 'opus';
  if (bytes[body] === 0x7f && text(1, 4) === 'FLAC') throw new AudioDecodeError('unsupported file: FLAC in an Ogg container (Ogg FLAC); native .flac files are supported');
  if (text(0, 8) === 'Speex   ') throw new AudioDecodeError('unsupported file: Ogg Speex');
  if (bytes[body] === 0x80 && text(1, 6) === 'theora') throw new AudioDecodeError('unsupported file: Ogg Theora video');
  if (text(0, 5) === 'fishe') throw new AudioDecodeError('unsupported file: Ogg with a Skeleton stream (several logical streams)');
  throw new AudioDecodeError('unsupported file: Ogg container of an unknown codec (Vorbis and Opus are supported)');
}
