import { AudioDecodeError, AudioTooLongError } from './errors';
import { fourCC, plural, viewOf } from './bytes';
import { Chunk, listChunkIds, walkChunks } from './chunks';
import { deinterleave, frameBytes, SampleLayout } from './pcm';
import { DecodedAudio, DecodeOptions } from './types';

/*
 * AIFF and AIFF-C decoding, by hand: none of the installed libraries reads AIFF, and the format is small (a COMM
 * chunk with the layout and an 80-bit float sample rate, an SSND chunk with big-endian samples).
 *
 * As for WAV, a truncated SSND chunk (fewer bytes than COMM's frame count needs) yields the whole frames present
 * plus a warning, rather than a rejection.
 */

/** AIFF-C compression types we decode: id -> how the samples are stored. */
const AIFC_CODECS: Record<string, { kind: 'int' | 'uint8' | 'float'; littleEndian: boolean; floatBytes?: number }> = {
  NONE: { kind: 'int', littleEndian: false },
  twos: { kind: 'int', littleEndian: false },
  sowt: { kind: 'int', littleEndian: true },
  fl32: { kind: 'float', littleEndian: false, floatBytes: 4 },
  FL32: { kind: 'float', littleEndian: false, floatBytes: 4 },
  fl64: { kind: 'float', littleEndian: false, floatBytes: 8 },
  FL64: { kind: 'float', littleEndian: false, floatBytes: 8 },
  // QuickTime's offset-binary 8-bit (128 is zero), the one unsigned AIFF flavour.
  'raw ': { kind: 'uint8', littleEndian: false },
};

/** Compression types we can name when refusing them. */
const AIFC_UNSUPPORTED_NAMES: Record<string, string> = {
  ulaw: 'mu-law',
  ULAW: 'mu-law',
  alaw: 'A-law',
  ALAW: 'A-law',
  ima4: 'IMA 4:1 ADPCM',
  MAC3: 'MACE 3:1',
  MAC6: 'MACE 6:1',
  'GSM ': 'GSM 6.10',
  Qclp: 'Qualcomm PureVoice',
  QDMC: 'QDesign Music',
  QDM2: 'QDesign Music 2',
};

/**
 * IEEE 754 80-bit extended (big-endian): sign+15-bit exponent, then a 64-bit mantissa with an explicit integer bit.
 * value = mantissa * 2^(exponent - 16383 - 63). Doubles keep the top 53 mantissa bits, plenty for a sample rate.
 */
export function readExtended80(view: DataView, offset: number): number {
  const signExp = view.getUint16(offset);
  const hi = view.getUint32(offset + 2);
  const lo = view.getUint32(offset + 6);
  const exponent = signExp & 0x7fff;
  if (exponent === 0x7fff) return NaN;
  const magnitude = (hi * 2 ** 32 + lo) * 2 ** (exponent - 16383 - 63);
  return signExp & 0x8000 ? -magnitude : magnitude;
}

interface Comm {
  channels: number;
  frames: number;
  bits: number;
  sampleRate: number;
  compression: string;
}

function parseComm(bytes: Uint8Array, chunk: Chunk, aifc: boolean): Comm {
  const needed = aifc ? 22 : 18;
  if (chunk.size < needed) {
    throw new AudioDecodeError(
      `corrupt ${aifc ? 'AIFC' : 'AIFF'} header: 'COMM' chunk is ${plural(chunk.size, 'byte')}${chunk.truncated ? ' (file ends inside it)' : ''}, needs ${needed}`,
    );
  }
  const view = viewOf(bytes);
  const at = chunk.bodyOffset;
  const rate = readExtended80(view, at + 8);
  return {
    channels: view.getUint16(at),
    frames: view.getUint32(at + 2),
    bits: view.getUint16(at + 6),
    // Downstream everything (WAV headers, configs) uses integer rates; old Mac rates like 22254.545 round.
    sampleRate: Number.isFinite(rate) ? Math.round(rate) : NaN,
    compression: aifc ? fourCC(bytes, at + 18) : 'NONE',
  };
}

export function decodeAiff(bytes: Uint8Array, options: DecodeOptions = {}): DecodedAudio {
  if (bytes.length < 12) {
    throw new AudioDecodeError(`truncated header: file is ${plural(bytes.length, 'byte')}, too short for an AIFF header`);
  }
  const aifc = fourCC(bytes, 8) === 'AIFC';
  const container = aifc ? 'AIFC' : 'AIFF';
  const chunks = walkChunks(bytes, 12, { littleEndian: false });
  const commChunk = chunks.find((c) => c.id === 'COMM');
  if (!commChunk) {
    const seen = chunks.length ? `found only ${listChunkIds(chunks)}` : 'no chunks after the header';
    throw new AudioDecodeError(`corrupt ${container}: no 'COMM' chunk (${seen})`);
  }
  const comm = parseComm(bytes, commChunk, aifc);
  if (comm.channels === 0) throw new AudioDecodeError(`corrupt ${container} header: 'COMM' chunk says 0 channels`);
  if (!(comm.sampleRate > 0)) {
    throw new AudioDecodeError(`corrupt ${container} header: 'COMM' chunk has an invalid sample rate`);
  }

  const codec = AIFC_CODECS[comm.compression];
  if (!codec) {
    const name = AIFC_UNSUPPORTED_NAMES[comm.compression] ?? 'unknown encoding';
    throw new AudioDecodeError(`unsupported AIFC encoding: ${name} (compression type '${comm.compression}')`);
  }
  let layout: SampleLayout;
  let description: string;
  if (codec.kind === 'float') {
    layout = { kind: 'float', bytesPerSample: codec.floatBytes ?? 4, littleEndian: false };
    description = `${comm.compression} ${layout.bytesPerSample * 8}-bit float`;
  } else if (codec.kind === 'uint8') {
    if (comm.bits > 8) throw new AudioDecodeError(`unsupported AIFC encoding: ${comm.bits}-bit 'raw ' (only 8-bit exists)`);
    layout = { kind: 'uint8', bytesPerSample: 1, littleEndian: false };
    description = `raw 8-bit unsigned`;
  } else {
    if (comm.bits < 1 || comm.bits > 32) {
      throw new AudioDecodeError(`unsupported ${container} encoding: ${comm.bits}-bit PCM`);
    }
    // AIFF 8-bit is signed, unlike WAV's offset binary; narrow samples are left-justified in ceil(bits/8) bytes.
    layout = { kind: 'int', bytesPerSample: Math.ceil(comm.bits / 8), littleEndian: codec.littleEndian };
    description = aifc ? `${comm.compression} ${comm.bits}-bit` : `PCM ${comm.bits}-bit`;
  }
  const format = `${container} ${description}`;

  if (comm.frames === 0) throw new AudioDecodeError(`no audio data: 'COMM' chunk says 0 sample frames`);
  const ssnd = chunks.find((c) => c.id === 'SSND');
  if (!ssnd) {
    const last = chunks[chunks.length - 1];
    const why = last.truncated ? `file ends inside the '${last.id}' chunk` : `chunks found: ${listChunkIds(chunks)}`;
    throw new AudioDecodeError(`corrupt ${container}: no 'SSND' chunk (${why})`);
  }
  if (ssnd.size < 8) {
    throw new AudioDecodeError(`corrupt ${container}: 'SSND' chunk is ${plural(ssnd.size, 'byte')}, too short for its header`);
  }
  // SSND body: offset(4) blockSize(4), then `offset` bytes to skip before the first sample (alignment, rarely used).
  const skip = viewOf(bytes).getUint32(ssnd.bodyOffset);
  const dataStart = ssnd.bodyOffset + 8 + skip;
  const available = Math.max(0, ssnd.bodyOffset + ssnd.size - dataStart);
  const perFrame = frameBytes(layout, comm.channels);
  const wholeFrames = Math.floor(available / perFrame);
  const frames = Math.min(comm.frames, wholeFrames);
  const warnings: string[] = [];
  if (frames < comm.frames) {
    if (frames === 0) {
      throw new AudioDecodeError(
        `no audio data: 'COMM' chunk declares ${plural(comm.frames, 'frame')} but 'SSND' holds ${plural(available, 'byte')} of samples${ssnd.truncated ? ' (file truncated)' : ''}`,
      );
    }
    warnings.push(
      `truncated file: 'COMM' chunk declares ${plural(comm.frames, 'frame')} but only ${frames} whole frames are present; decoded those`,
    );
  }
  if (options.maxSamples !== undefined && frames * comm.channels > options.maxSamples) {
    throw new AudioTooLongError(frames * comm.channels, options.maxSamples, comm, 'counted');
  }
  const decoded: DecodedAudio = {
    sampleRate: comm.sampleRate,
    channels: deinterleave(bytes, dataStart, frames, comm.channels, layout, options.firstChannelOnly ? 1 : comm.channels),
    format,
  };
  if (warnings.length) decoded.warnings = warnings;
  return decoded;
}
