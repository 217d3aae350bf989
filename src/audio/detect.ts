import { AudioDecodeError } from './errors';
import { describeFourCC, fourCC, plural } from './bytes';

/** The containers we decode; the bytes decide, never the file name. */
export type Container = { kind: 'wav' } | { kind: 'aiff' } | { kind: 'flac'; offset: number };

/** Size of an ID3v2 tag at the start (10-byte header + syncsafe size + optional footer), or 0. */
function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || fourCC(bytes, 0).slice(0, 3) !== 'ID3') return 0;
  const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
  const footer = bytes[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

/**
 * Recognise the container from its magic bytes, or explain what the file is instead. Formats we cannot decode
 * but can recognise are named, because "not a recognised audio file" is a poor answer for an MP3 renamed .wav.
 */
export function detectContainer(bytes: Uint8Array): Container {
  if (bytes.length === 0) throw new AudioDecodeError('empty file (0 bytes)');
  if (bytes.length < 4) throw new AudioDecodeError(`not an audio file: only ${plural(bytes.length, 'byte')}`);
  const magic = fourCC(bytes, 0);
  const form = bytes.length >= 12 ? fourCC(bytes, 8) : '';
  switch (magic) {
    case 'RIFF':
    case 'RF64':
    case 'BW64':
      if (bytes.length < 12) {
        throw new AudioDecodeError(`truncated header: file is ${plural(bytes.length, 'byte')}, too short for a WAV header`);
      }
      if (form === 'WAVE') return { kind: 'wav' };
      throw new AudioDecodeError(`not a WAV file: RIFF file of type ${describeFourCC(bytes, 8)}, not 'WAVE'`);
    case 'RIFX':
      throw new AudioDecodeError('unsupported file: big-endian WAV (RIFX)');
    case 'FORM':
      if (bytes.length < 12) {
        throw new AudioDecodeError(`truncated header: file is ${plural(bytes.length, 'byte')}, too short for an AIFF header`);
      }
      if (form === 'AIFF' || form === 'AIFC') return { kind: 'aiff' };
      throw new AudioDecodeError(`not an AIFF file: IFF file of type ${describeFourCC(bytes, 8)}, not 'AIFF' or 'AIFC'`);
    case 'fLaC':
      return { kind: 'flac', offset: 0 };
    case 'OggS':
      throw new AudioDecodeError('unsupported file: Ogg container (Vorbis, Opus or Ogg FLAC)');
    case 'caff':
      throw new AudioDecodeError('unsupported file: Core Audio Format (CAF)');
    case 'wvpk':
      throw new AudioDecodeError('unsupported file: WavPack');
    case 'MAC ':
      throw new AudioDecodeError("unsupported file: Monkey's Audio (APE)");
    case '.snd':
      throw new AudioDecodeError('unsupported file: Sun/NeXT AU audio');
    case 'riff':
      throw new AudioDecodeError('unsupported file: Sony Wave64 (W64)');
  }
  if (magic.startsWith('ID3')) {
    // FLAC files occasionally carry an ID3v2 tag in front (libFLAC skips it); otherwise ID3 means MP3.
    const skip = id3v2Length(bytes);
    if (skip > 0 && fourCC(bytes, skip) === 'fLaC') return { kind: 'flac', offset: skip };
    throw new AudioDecodeError('unsupported file: MP3 audio (starts with an ID3 tag)');
  }
  if (bytes.length >= 8 && fourCC(bytes, 4) === 'ftyp') throw new AudioDecodeError('unsupported file: MP4/M4A (ISO media)');
  if (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) {
    throw new AudioDecodeError('unsupported file: looks like MPEG audio (MP3/AAC frame sync)');
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x05 && bytes[2] === 0x16 && (bytes[3] === 0x07 || bytes[3] === 0x00)) {
    throw new AudioDecodeError("not an audio file: macOS resource-fork metadata (AppleDouble '._' file)");
  }
  if (bytes.subarray(0, Math.min(bytes.length, 16)).every((b) => b === 0)) {
    throw new AudioDecodeError('not an audio file: starts with zero bytes, no header');
  }
  throw new AudioDecodeError(`not an audio file: unrecognised header ${describeFourCC(bytes, 0)}`);
}
