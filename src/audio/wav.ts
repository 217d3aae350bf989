import { AudioDecodeError, AudioTooLongError } from './errors';
import { fourCC, plural, viewOf } from './bytes';
import { Chunk, listChunkIds, walkChunks } from './chunks';
import { deinterleave, frameBytes, SampleLayout } from './pcm';
import { DecodedAudio, DecodeOptions } from './types';

/*
 * WAV (RIFF/WAVE, and RF64/BW64) decoding with our own RIFF parser.
 *
 * Why not the `wavefile` library: tried against files built in test/audio, it reads odd-sized chunks
 * fine but accepts mu-law, A-law and MP3-in-WAV without complaint and hands back the raw encoded bytes as if they
 * were samples, returns whatever a truncated data chunk holds without saying so, and fails with generic messages
 * ("Could not find the \"data\" chunk", "Not a supported format.") that do not tell a user what is wrong with the
 * file. We would have to re-parse the fmt chunk to catch all that, and once that is done the rest is a chunk walk
 * and a sample unpack, both small and tested here.
 *
 * Truncated data chunks (declared size larger than the file): real sample libraries contain such files, typically
 * from interrupted copies or recorders that crashed. Like libsndfile/soundfile we decode the whole frames that are
 * present, and add a warning to DecodedAudio.warnings so the caller can report it. A data chunk with no whole frame
 * is rejected as having no audio.
 */

/** Format tags we can name in an "unsupported encoding" message (from mmreg.h). */
const FORMAT_TAG_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0010: 'OKI ADPCM',
  0x0011: 'IMA ADPCM',
  0x0014: 'G.723 ADPCM',
  0x0020: 'Yamaha ADPCM',
  0x0022: 'DSP Group TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0042: 'G.723.1',
  0x0045: 'G.726 ADPCM',
  0x0050: 'MPEG audio (MPEG-1 Layer I/II)',
  0x0055: 'MP3 (MPEG Layer III)',
  0x0064: 'G.726 ADPCM',
  0x0092: 'Dolby AC-3 (S/PDIF)',
  0x0160: 'Windows Media Audio v1',
  0x0161: 'Windows Media Audio',
  0x0162: 'Windows Media Audio Pro',
  0x0163: 'Windows Media Audio Lossless',
  0x00ff: 'AAC',
  0x1610: 'AAC (HE-AAC)',
  0x2000: 'Dolby AC-3',
  0x2001: 'DTS',
  0x674f: 'Ogg Vorbis',
  0x6750: 'Ogg Vorbis',
  0x6751: 'Ogg Vorbis',
  0xf1ac: 'FLAC',
};

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID whose first two bytes are a plain format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

function hexTag(tag: number): string {
  return '0x' + tag.toString(16).padStart(4, '0');
}

function unsupportedTag(tag: number, extensible: boolean): AudioDecodeError {
  const name = FORMAT_TAG_NAMES[tag] ?? 'unknown encoding';
  const where = extensible ? `WAVE_FORMAT_EXTENSIBLE sub-format ${hexTag(tag)}` : `format tag ${hexTag(tag)}`;
  return new AudioDecodeError(`unsupported WAV encoding: ${name} (${where})`);
}

interface WavFormat {
  layout: SampleLayout;
  channels: number;
  sampleRate: number;
  /** For the format string: 'PCM 16-bit', 'float 32-bit'. */
  description: string;
}

function parseFmt(bytes: Uint8Array, chunk: Chunk): WavFormat {
  if (chunk.size < 16) {
    throw new AudioDecodeError(
      `corrupt WAV header: 'fmt ' chunk is ${plural(chunk.size, 'byte')}${chunk.truncated ? ' (file ends inside it)' : ''}, needs at least 16`,
    );
  }
  const view = viewOf(bytes);
  const at = chunk.bodyOffset;
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bits = view.getUint16(at + 14, true);
  const extensible = tag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    // cbSize(2) validBits(2) channelMask(4) subFormat GUID(16) follow the 16 basic bytes.
    if (chunk.size < 40) {
      throw new AudioDecodeError(
        `corrupt WAV header: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${plural(chunk.size, 'byte')}, needs 40`,
      );
    }
    const guid = at + 24;
    tag = view.getUint16(guid, true);
    const tailMatches = SUBTYPE_GUID_TAIL.every((b, i) => bytes[guid + 2 + i] === b);
    if (!tailMatches) {
      const hex = Array.from(bytes.subarray(guid, guid + 16), (b) => b.toString(16).padStart(2, '0')).join('');
      throw new AudioDecodeError(`unsupported WAV encoding: WAVE_FORMAT_EXTENSIBLE with unknown sub-format GUID ${hex}`);
    }
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) throw unsupportedTag(tag, extensible);
  if (channels === 0) throw new AudioDecodeError("corrupt WAV header: 'fmt ' chunk says 0 channels");
  if (sampleRate === 0) throw new AudioDecodeError("corrupt WAV header: 'fmt ' chunk says sample rate 0");

  let layout: SampleLayout;
  let description: string;
  if (tag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bits !== 32 && bits !== 64) {
      throw new AudioDecodeError(`unsupported WAV encoding: ${bits}-bit float (format tag ${hexTag(tag)}); only 32 and 64 are defined`);
    }
    layout = { kind: 'float', bytesPerSample: bits / 8, littleEndian: true };
    description = `float ${bits}-bit`;
  } else {
    if (bits < 1 || bits > 32) {
      throw new AudioDecodeError(`unsupported WAV encoding: ${bits}-bit PCM (format tag ${hexTag(tag)})`);
    }
    // Samples narrower than a whole number of bytes sit left-justified in ceil(bits/8) bytes (e.g. 12-bit in 2).
    const width = Math.ceil(bits / 8);
    layout = { kind: width === 1 ? 'uint8' : 'int', bytesPerSample: width, littleEndian: true };
    description = `PCM ${bits}-bit`;
  }
  // blockAlign is not trusted: some writers get it wrong, and the frame size follows from channels and width
  // anyway (libsndfile recomputes it too).
  return { layout, channels, sampleRate, description };
}

/** RF64/BW64 keep the real (64-bit) sizes of RIFF and data in a 'ds64' chunk that must come first. */
function ds64DataSize(bytes: Uint8Array): number {
  const view = viewOf(bytes);
  if (bytes.length < 12 + 8 + 28 || fourCC(bytes, 12) !== 'ds64') {
    throw new AudioDecodeError("corrupt RF64 header: missing 'ds64' chunk after the RF64/WAVE header");
  }
  const lo = view.getUint32(12 + 8 + 8, true);
  const hi = view.getUint32(12 + 8 + 12, true);
  return hi * 2 ** 32 + lo;
}

export function decodeWav(bytes: Uint8Array, options: DecodeOptions = {}): DecodedAudio {
  if (bytes.length < 12) {
    throw new AudioDecodeError(`truncated header: file is ${plural(bytes.length, 'byte')}, too short for a WAV header`);
  }
  const rf64 = fourCC(bytes, 0) !== 'RIFF';
  const dataSize64 = rf64 ? ds64DataSize(bytes) : 0;
  const chunks = walkChunks(bytes, 12, {
    littleEndian: true,
    sizeOf: rf64 ? (id, declared) => (id === 'data' && declared === 0xffffffff ? dataSize64 : declared) : undefined,
  });
  const fmt = chunks.find((c) => c.id === 'fmt ');
  const data = chunks.find((c) => c.id === 'data');
  if (!fmt) {
    const seen = chunks.length ? `found only ${listChunkIds(chunks)}` : 'no chunks after the header';
    throw new AudioDecodeError(`corrupt WAV: no 'fmt ' chunk (${seen})`);
  }
  const format = parseFmt(bytes, fmt);
  if (!data) {
    const last = chunks[chunks.length - 1];
    const why = last.truncated ? `file ends inside the '${last.id}' chunk` : `chunks found: ${listChunkIds(chunks)}`;
    throw new AudioDecodeError(`corrupt WAV: no 'data' chunk (${why})`);
  }

  const perFrame = frameBytes(format.layout, format.channels);
  const frames = Math.floor(data.size / perFrame);
  const warnings: string[] = [];
  if (data.truncated) {
    const unknown = data.declaredSize === 0xffffffff;
    warnings.push(
      unknown
        ? `'data' chunk size is unset (0xFFFFFFFF); read the ${plural(frames, 'whole frame')} up to the end of the file`
        : `truncated file: 'data' chunk declares ${plural(data.declaredSize, 'byte')} but only ${data.size} are present; decoded the ${plural(frames, 'whole frame')} present`,
    );
  } else if (data.size % perFrame !== 0) {
    warnings.push(
      `'data' chunk size ${data.size} is not a multiple of the ${perFrame}-byte frame; ignored the last ${plural(data.size % perFrame, 'byte')}`,
    );
  }
  if (frames === 0) {
    throw new AudioDecodeError(
      data.declaredSize === 0
        ? "no audio data: 'data' chunk is empty"
        : `no audio data: 'data' chunk holds ${plural(data.size, 'byte')}, less than one ${perFrame}-byte frame${data.truncated ? ` (file truncated: ${data.declaredSize} declared)` : ''}`,
    );
  }
  // The header's size was checked before (decodeAudio); this is what the file really holds, e.g. with the size unset.
  if (options.maxSamples !== undefined && frames * format.channels > options.maxSamples) {
    throw new AudioTooLongError(frames * format.channels, options.maxSamples, format, 'counted');
  }
  const decoded: DecodedAudio = {
    sampleRate: format.sampleRate,
    channels: deinterleave(bytes, data.bodyOffset, frames, format.channels, format.layout, options.firstChannelOnly ? 1 : format.channels),
    format: `${rf64 ? 'RF64' : 'WAV'} ${format.description}`,
  };
  if (warnings.length) decoded.warnings = warnings;
  return decoded;
}
