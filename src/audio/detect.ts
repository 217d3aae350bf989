import { AudioDecodeError } from './errors';
import { describeFourCC, fourCC, plural } from './bytes';
import { firstMpegHeader, id3v2TagsLength } from './mp3-frames';
import { oggCodec } from './ogg';

/**
 * The containers (and, for Ogg, codecs) we decode; the bytes decide, never the file name. `offset`: where the
 * stream starts after ID3v2 tags.
 */
export type Container =
  | { kind: 'wav' }
  | { kind: 'aiff' }
  | { kind: 'flac'; offset: number }
  | { kind: 'vorbis' }
  | { kind: 'opus' }
  | { kind: 'mp3'; offset: number };

/**
 * Recognise the container from its magic bytes, or explain what the file is instead. Formats we cannot decode
 * but can recognise are named, because "not a recognised audio file" is a poor answer for an M4A renamed .wav.
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
      return { kind: oggCodec(bytes) };
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
    const skip = id3v2TagsLength(bytes);
    if (skip > bytes.length) throw new AudioDecodeError(`truncated file: the file ends inside its ID3v2 tag (${plural(skip, 'byte')} declared)`);
    if (fourCC(bytes, skip) === 'fLaC') return { kind: 'flac', offset: skip };
    firstMpegHeader(bytes, skip);
    return { kind: 'mp3', offset: skip };
  }
  if (bytes.length >= 8 && fourCC(bytes, 4) === 'ftyp') throw new AudioDecodeError('unsupported file: MP4/M4A (ISO media)');
  if (bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) throw new AudioDecodeError('unsupported file: AAC audio (ADTS stream)');
  if (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) {
    firstMpegHeader(bytes, 0);
    return { kind: 'mp3', offset: 0 };
  }
  if (bytes[0] === 0x00 && bytes[1] === 0x05 && bytes[2] === 0x16 && (bytes[3] === 0x07 || bytes[3] === 0x00)) {
    throw new AudioDecodeError("not an audio file: macOS resource-fork metadata (AppleDouble '._' file)");
  }
  if (bytes.subarray(0, Math.min(bytes.length, 16)).every((b) => b === 0)) {
    throw new AudioDecodeError('not an audio file: starts with zero bytes, no header');
  }
  throw new AudioDecodeError(`not an audio file: unrecognised header ${describeFourCC(bytes, 0)}`);
}
