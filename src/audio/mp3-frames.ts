import { AudioDecodeError } from './errors';
import { fourCC, plural } from './bytes';

/*
 * MPEG audio frames, found by us before mpg123 sees them, for what the decoder does not tell: how many frames (and so
 * samples) the file holds before anything is decoded, whether it was cut short inside a frame, whether the stream
 * loses its frame sync in the middle (damage: the decoder would skip to the next sync and leave a gap), and the
 * encoder's gapless information (the Xing/Info frame with LAME's delay and padding).
 *
 * Only Layer III (MP3) is accepted: MPEG-1 at 32/44.1/48 kHz (1152 samples a frame) and MPEG-2 / 2.5 at the lower
 * rates (576). Layer I/II files (MP1/MP2) and free-format streams are refused by name.
 */

export interface MpegHeader {
  /** 1, 2 or 2.5 */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  /** kbit/s; 0 for free format. */
  bitrate: number;
  channels: 1 | 2;
  /** Bytes in the frame, header included. */
  length: number;
  /** Samples per channel the frame decodes to. */
  samples: number;
  crcProtected: boolean;
}

const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const LAYER3_BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const LAYER3_BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** The MPEG audio frame header at `at`, or null when those four bytes are not one (no sync, reserved values). */
export function parseMpegHeader(bytes: Uint8Array, at: number): MpegHeader | null {
  if (at + 4 > bytes.length) return null;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return null;
  const versionBits = (b1 >> 3) & 0x03;
  const layerBits = (b1 >> 1) & 0x03;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 0x03;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const sampleRate = RATES[versionBits]![rateIndex]!;
  const channels = bytes[at + 3]! >> 6 === 3 ? 1 : 2;
  const padding = (b2 >> 1) & 0x01;
  // Frame lengths of Layer I/II are not needed: those files are refused as soon as their first header is read.
  const bitrate = layer === 3 ? (version === 1 ? LAYER3_BITRATES_V1 : LAYER3_BITRATES_V2)[bitrateIndex]! : 0;
  const samples = layer === 3 ? (version === 1 ? 1152 : 576) : layer === 2 ? 1152 : 384;
  const length = layer === 3 && bitrate > 0 ? Math.floor(((samples / 8) * bitrate * 1000) / sampleRate) + padding : 0;
  return { version, layer, sampleRate, bitrate, channels, length, samples, crcProtected: (b1 & 0x01) === 0 };
}

/** Encoder delay and padding in samples, from LAME's extension of the Xing/Info frame. */
export interface GaplessInfo {
  delay: number;
  padding: number;
}

export interface Mp3Frames {
  first: MpegHeader;
  /** Byte range of the frames: the Xing/Info frame, if any, and the audio frames, whole ones only. */
  start: number;
  end: number;
  /** Audio frames (the Xing/Info/VBRI frame, which decodes to nothing, not counted). */
  audioFrames: number;
  /** Audio frames × samples per frame: what the decoder produces before any gapless trimming. */
  samples: number;
  /** The frame count a Xing/Info/VBRI frame declares, if there is one that says. */
  declaredFrames?: number;
  /** Why the frames stop before the end of the file, when it is not a tag; absent otherwise. */
  warning?: string;
}

/** Size of the ID3v2 tags at `at` (10-byte header + syncsafe size + optional footer each), 0 when there is none. */
export function id3v2TagsLength(bytes: Uint8Array, at = 0): number {
  let pos = at;
  while (pos + 10 <= bytes.length && fourCC(bytes, pos).slice(0, 3) === 'ID3') {
    const size = ((bytes[pos + 6]! & 0x7f) << 21) | ((bytes[pos + 7]! & 0x7f) << 14) | ((bytes[pos + 8]! & 0x7f) << 7) | (bytes[pos + 9]! & 0x7f);
    pos += 10 + size + (bytes[pos + 5]! & 0x10 ? 10 : 0);
  }
  return pos - at;
}

/** Tags that may follow the last frame: ID3v1 ('TAG'), APEv2, Lyrics3, an appended ID3v2. */
function isTrailingTag(bytes: Uint8Array, at: number): boolean {
  const text = String.fromCharCode(...bytes.subarray(at, at + 11));
  return text.startsWith('TAG') || text.startsWith('APETAGEX') || text.startsWith('LYRICSBEGIN') || text.startsWith('ID3');
}

/**
 * Where the Xing/Info tag may sit in a Layer III frame: after the header and the side information, and, in a frame
 * whose header announces a CRC, also 2 bytes later. LAME writes it right after the side information even when the
 * other frames carry CRCs (lame -p; checked), other writers may count the CRC.
 */
function xingOffsets(h: MpegHeader): number[] {
  const sideInfo = h.version === 1 ? (h.channels === 1 ? 17 : 32) : h.channels === 1 ? 9 : 17;
  return h.crcProtected ? [4 + sideInfo, 6 + sideInfo] : [4 + sideInfo];
}

export interface InfoFrame {
  declaredFrames?: number;
  gapless?: GaplessInfo;
}

/** The Xing/Info (or Fraunhofer VBRI) frame's contents, or null when the frame at `at` is an ordinary audio frame. */
export function readInfoFrame(bytes: Uint8Array, at: number, h: MpegHeader): InfoFrame | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frameEnd = at + h.length;
  const x = xingOffsets(h)
    .map((offset) => at + offset)
    .find((candidate) => ['Xing', 'Info'].includes(fourCC(bytes, candidate)));
  if (x !== undefined) {
    if (x + 8 > frameEnd) return {};
    const flags = view.getUint32(x + 4);
    let pos = x + 8;
    const info: InfoFrame = {};
    if (flags & 0x1) {
      if (pos + 4 <= frameEnd) info.declaredFrames = view.getUint32(pos);
      pos += 4;
    }
    if (flags & 0x2) pos += 4; // byte count
    if (flags & 0x4) pos += 100; // seek table
    if (flags & 0x8) pos += 4; // quality
    // LAME's extension (also written by ffmpeg as 'Lavc…'/'Lavf…'): 9 bytes of encoder name, then 12 bytes of other
    // fields, then the encoder delay and the padding, 12 bits each.
    if (pos + 24 <= frameEnd) {
      const encoder = String.fromCharCode(...bytes.subarray(pos, pos + 9)).replace(/\0+$/, '');
      if (/^(LAME|Lavc|Lavf|L3.99)/.test(encoder)) {
        const d = pos + 21;
        info.gapless = {
          delay: (bytes[d]! << 4) | (bytes[d + 1]! >> 4),
          padding: ((bytes[d + 1]! & 0x0f) << 8) | bytes[d + 2]!,
        };
      }
    }
    return info;
  }
  // VBRI sits 32 bytes after the header whatever the channel mode.
  if (fourCC(bytes, at + 36) === 'VBRI' && at + 36 + 18 <= frameEnd) return { declaredFrames: view.getUint32(at + 36 + 14) };
  return null;
}

/** The first MPEG audio frame: at `start` (after any ID3v2 tags), or an AudioDecodeError naming what is there. */
export function firstMpegHeader(bytes: Uint8Array, start: number): MpegHeader {
  const h = parseMpegHeader(bytes, start);
  if (!h) {
    throw new AudioDecodeError(
      start > 0 ? `not an MP3 file: no MPEG audio frame after the ${plural(start, 'byte')} of ID3v2 tag` : 'not an MP3 file: no MPEG audio frame header',
    );
  }
  if (h.layer !== 3) throw new AudioDecodeError(`unsupported file: MPEG-${h.version} Layer ${h.layer === 2 ? 'II (MP2)' : 'I (MP1)'} audio; Layer III (MP3) is supported`);
  if (h.bitrate === 0) throw new AudioDecodeError('unsupported file: free-format MP3 (no bitrate in its frame headers)');
  return h;
}

/**
 * Walks the frames from `start`: every frame must follow the previous one directly with the same version, layer
 * and sample rate. The walk ends at the end of the file, at a trailing tag, or at an incomplete last frame or
 * trailing bytes that are not a frame (kept as a warning, like a truncated WAV). A lost sync followed later by
 * frames again is damage in the middle and refuses the file. `maxFrames` stops the walk early (the caller's limit):
 * the result then counts maxFrames + 1 audio frames.
 */
export function walkMp3Frames(bytes: Uint8Array, start: number, maxFrames = Infinity): Mp3Frames {
  const first = firstMpegHeader(bytes, start);
  const info = first.length <= bytes.length - start ? readInfoFrame(bytes, start, first) : null;
  let pos = start;
  let audioFrames = 0;
  let warning: string | undefined;
  let index = 0;
  while (pos < bytes.length) {
    const h = parseMpegHeader(bytes, pos);
    if (!h || h.layer !== 3 || h.bitrate === 0 || h.version !== first.version || h.sampleRate !== first.sampleRate) {
      if (isTrailingTag(bytes, pos)) break;
      const resync = nextFrame(bytes, pos + 1, first);
      if (resync >= 0) {
        throw new AudioDecodeError(
          `corrupt MP3 data: the frames lose their sync at byte ${pos} (after frame ${index}) and resume at byte ${resync}; ${plural(resync - pos, 'byte')} in between are not audio`,
        );
      }
      warning = `ignored ${plural(bytes.length - pos, 'byte')} after the last MP3 frame that are neither audio nor a tag (junk appended, or a damaged last frame)`;
      break;
    }
    if (pos + h.length > bytes.length) {
      warning = `truncated file: the last MP3 frame is cut short (${plural(bytes.length - pos, 'byte')} of ${h.length}); decoded the ${plural(audioFrames, 'whole frame')} before it`;
      break;
    }
    if (!(index === 0 && info)) audioFrames++;
    pos += h.length;
    index++;
    if (audioFrames > maxFrames) break;
  }
  const frames: Mp3Frames = { first, start, end: pos, audioFrames, samples: audioFrames * first.samples };
  if (info?.declaredFrames !== undefined) frames.declaredFrames = info.declaredFrames;
  if (warning === undefined && info?.declaredFrames !== undefined && info.declaredFrames > audioFrames && audioFrames <= maxFrames) {
    warning = `truncated file: the MP3's Xing/Info frame declares ${plural(info.declaredFrames, 'frame')} but the file holds ${audioFrames}`;
  }
  if (warning !== undefined) frames.warning = warning;
  return frames;
}

/** Offset of the next place from `from` where two frames like `like` follow each other, or -1. */
function nextFrame(bytes: Uint8Array, from: number, like: MpegHeader): number {
  for (let p = from; p + 4 <= bytes.length; p++) {
    if (bytes[p] !== 0xff) continue;
    const h = parseMpegHeader(bytes, p);
    if (!h || h.layer !== 3 || h.bitrate === 0 || h.version !== like.version || h.sampleRate !== like.sampleRate) continue;
    const next = parseMpegHeader(bytes, p + h.length);
    if (next && next.layer === 3 && next.version === like.version && next.sampleRate === like.sampleRate) return p;
  }
  return -1;
}
