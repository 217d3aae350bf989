import { AudioDecodeError } from './errors';
import { fourCC, plural, viewOf } from './bytes';
import { FlacDecoderInstance, FlacDecodeResult, loadFlacModule } from './flac-loader';
import { DecodedAudio } from './types';

/*
 * FLAC: the frames are decoded by libFLAC compiled to wasm (@wasm-audio-decoders/flac); the metadata we read
 * ourselves, because the library decodes garbage to "0 samples, no errors" and does not say how many samples the
 * stream should hold. STREAMINFO gives us the truth to check its output against (rate, channels, bit depth,
 * length).
 *
 * Truncated streams (fewer samples decoded than STREAMINFO declares) are kept, with a warning, like truncated
 * WAV/AIFF data. Frames that fail to decode (bad CRC, lost sync) are not: the library skips them and would leave a
 * gap in the middle of the sound, so such a file is rejected with libFLAC's error.
 */

export interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 means "unknown" in FLAC, not "empty". */
  totalSamples: number;
  /** Offset of the first audio frame (after the last metadata block). */
  audioOffset: number;
}

const BLOCK_TYPE_STREAMINFO = 0;

export function parseStreamInfo(bytes: Uint8Array, start: number): StreamInfo {
  const view = viewOf(bytes);
  let pos = start + 4; // after 'fLaC'
  let info: Omit<StreamInfo, 'audioOffset'> | undefined;
  for (let index = 0; ; index++) {
    if (pos + 4 > bytes.length) {
      throw new AudioDecodeError(`truncated FLAC header: file ends inside metadata block ${index + 1}`);
    }
    const header = bytes[pos];
    const isLast = (header & 0x80) !== 0;
    const type = header & 0x7f;
    const length = (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3];
    const body = pos + 4;
    if (type === 127) throw new AudioDecodeError(`corrupt FLAC header: invalid metadata block type 127 (block ${index + 1})`);
    if (body + length > bytes.length) {
      throw new AudioDecodeError(
        `truncated FLAC header: metadata block ${index + 1} (type ${type}) declares ${plural(length, 'byte')} but the file ends after ${bytes.length - body}`,
      );
    }
    if (index === 0) {
      if (type !== BLOCK_TYPE_STREAMINFO || length < 34) {
        throw new AudioDecodeError(`corrupt FLAC header: first metadata block is not a 34-byte STREAMINFO (type ${type}, ${length} bytes)`);
      }
      // Bytes 10..17: sample rate (20 bits), channels-1 (3), bits-1 (5), total samples (36).
      const b = body + 10;
      const sampleRate = (bytes[b] << 12) | (bytes[b + 1] << 4) | (bytes[b + 2] >> 4);
      const channels = ((bytes[b + 2] >> 1) & 0x07) + 1;
      const bitsPerSample = (((bytes[b + 2] & 0x01) << 4) | (bytes[b + 3] >> 4)) + 1;
      const totalSamples = (bytes[b + 3] & 0x0f) * 2 ** 32 + view.getUint32(b + 4);
      if (sampleRate === 0) throw new AudioDecodeError('corrupt FLAC header: STREAMINFO says sample rate 0');
      if (bitsPerSample < 4) throw new AudioDecodeError(`corrupt FLAC header: STREAMINFO says ${bitsPerSample}-bit samples`);
      info = { sampleRate, channels, bitsPerSample, totalSamples };
    }
    pos = body + length;
    if (isLast) break;
  }
  return { ...(info as Omit<StreamInfo, 'audioOffset'>), audioOffset: pos };
}

/*
 * One decoder per process: creating one compiles and instantiates the wasm module. decodeFile() resets the
 * instance after each file, which is not safe to interleave, so calls are queued one after another.
 */
let decoder: FlacDecoderInstance | undefined;
let queue: Promise<unknown> = Promise.resolve();

async function getDecoder(): Promise<FlacDecoderInstance> {
  if (!decoder) {
    const { FLACDecoder } = loadFlacModule();
    const created = new FLACDecoder();
    await created.ready;
    decoder = created;
  }
  return decoder;
}

async function runDecoder(bytes: Uint8Array): Promise<FlacDecodeResult> {
  const instance = await getDecoder();
  // libFLAC's errors are returned in result.errors, which we turn into our message; the library also prints
  // each one with console.error, which would litter preprocessing's output. Its decode work runs synchronously
  // inside decodeFile() before the first await, so silencing console.error just around that call is enough and
  // cannot swallow anybody else's output.
  const originalError = console.error;
  let pending: Promise<FlacDecodeResult>;
  try {
    console.error = () => undefined;
    pending = instance.decodeFile(bytes);
  } finally {
    console.error = originalError;
  }
  try {
    return await pending;
  } catch (err) {
    // The instance may be in any state now: drop it and start afresh next time.
    decoder = undefined;
    try {
      instance.free();
    } catch {
      // already unusable
    }
    throw err;
  }
}

function decodeQueued(bytes: Uint8Array): Promise<FlacDecodeResult> {
  const result = queue.then(() => runDecoder(bytes));
  queue = result.catch(() => undefined);
  return result;
}

export async function decodeFlac(bytes: Uint8Array, start = 0): Promise<DecodedAudio> {
  if (bytes.length - start < 8) {
    throw new AudioDecodeError(`truncated header: file is ${plural(bytes.length, 'byte')}, too short for a FLAC header`);
  }
  const info = parseStreamInfo(bytes, start);
  const format = `FLAC ${info.bitsPerSample}-bit`;
  if (info.audioOffset >= bytes.length) {
    throw new AudioDecodeError(
      info.totalSamples === 0
        ? 'no audio data: FLAC stream has no audio frames'
        : `truncated file: FLAC stream ends after its metadata (STREAMINFO declares ${plural(info.totalSamples, 'sample')})`,
    );
  }
  if (info.bitsPerSample > 24) {
    // codec-parser, which splits the stream into frames for the wasm decoder, rejects 32-bit frame headers.
    throw new AudioDecodeError(`unsupported FLAC encoding: ${info.bitsPerSample}-bit samples (up to 24-bit supported)`);
  }

  let result: FlacDecodeResult;
  try {
    result = await decodeQueued(start === 0 ? bytes : bytes.subarray(start));
  } catch (err) {
    throw new AudioDecodeError(`corrupt FLAC data: decoder failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  if (result.errors.length > 0) {
    const first = result.errors[0];
    throw new AudioDecodeError(
      `corrupt FLAC data: ${plural(result.errors.length, 'frame error')}, first at byte ${first.inputBytes}: ${first.message}`,
    );
  }
  if (result.samplesDecoded === 0) {
    throw new AudioDecodeError(
      info.totalSamples === 0
        ? 'no audio data: FLAC stream decoded to 0 samples'
        : `corrupt FLAC data: no decodable audio frames (STREAMINFO declares ${plural(info.totalSamples, 'sample')})`,
    );
  }
  if (result.bitDepth !== info.bitsPerSample || result.channelData.length !== info.channels || result.sampleRate !== info.sampleRate) {
    throw new AudioDecodeError(
      `corrupt FLAC data: frames (${result.bitDepth}-bit, ${result.channelData.length} ch, ${result.sampleRate} Hz) disagree with STREAMINFO (${info.bitsPerSample}-bit, ${info.channels} ch, ${info.sampleRate} Hz)`,
    );
  }
  const decoded: DecodedAudio = {
    sampleRate: info.sampleRate,
    channels: result.channelData.map((c) => (c.length === result.samplesDecoded ? c : c.slice(0, result.samplesDecoded))),
    format,
  };
  if (info.totalSamples > 0 && result.samplesDecoded < info.totalSamples) {
    decoded.warnings = [
      `truncated file: STREAMINFO declares ${plural(info.totalSamples, 'sample')} but only ${result.samplesDecoded} decoded; kept those`,
    ];
  }
  return decoded;
}

export function isFlacMagic(bytes: Uint8Array, offset: number): boolean {
  return fourCC(bytes, offset) === 'fLaC';
}
