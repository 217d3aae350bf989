import { AudioDecodeError, AudioTooLongError } from './errors';
import { plural, viewOf } from './bytes';
import { FlacDecoderInstance, FlacDecodeResult, frameErrors, loadFlacModule } from './flac-loader';
import { splitFrames } from './flac-frames';
import { DecodedAudio, DecodeOptions } from './types';
import { withoutConsoleErrors } from './wasm-bundle';

/*
 * FLAC: frames are decoded by libFLAC compiled to wasm (@wasm-audio-decoders/flac). Everything around that we do
 * ourselves: the metadata (the library decodes garbage to "0 samples, no errors" and never says how long the stream
 * should be) and finding the frames (see flac-frames.ts for why), which also tells truncation from corruption.
 *
 * Truncated streams keep the whole frames present, with a warning, like truncated WAV/AIFF data. Corrupt frames
 * (bad CRC followed by good frames, libFLAC errors) reject the file: keeping the rest would leave a gap or a shift
 * inside the sound.
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
 * One decoder per process, reused from file to file: creating one (and the library's reset(), which re-creates it)
 * instantiates the wasm module with fresh memory, about ten times the cost of decoding a typical one-shot. Reuse is
 * safe because sampgen feeds the decoder whole frames only (flac-frames.ts), and FLAC frames are self-contained:
 * after a clean decode the decoder sits at a frame boundary with nothing of the stream kept (checked bit for bit
 * against fresh decoders on real kits). A decode that reports errors, or decodes a different number of samples
 * than the frames hold, is repeated on a fresh decoder, so that the result and its frame numbers describe this file
 * alone, and the decoder that saw it is dropped. Calls are queued one after another: decodes do not interleave.
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

function dropDecoder(instance: FlacDecoderInstance): void {
  if (decoder === instance) decoder = undefined;
  try {
    instance.free();
  } catch {
    // already unusable
  }
}

async function decodeOnce(instance: FlacDecoderInstance, frames: Uint8Array[]): Promise<FlacDecodeResult> {
  // libFLAC's errors come back in the result; its decodeFrames() does all its work synchronously before returning
  // a promise, so silencing the copy it prints just around that call is safe.
  return withoutConsoleErrors(() => instance.decodeFrames(frames));
}

async function runDecoder(frames: Uint8Array[], expectedSamples: number): Promise<FlacDecodeResult> {
  const instance = await getDecoder();
  let result: FlacDecodeResult;
  try {
    result = await decodeOnce(instance, frames);
  } catch (err) {
    // The instance may be in any state now: drop it and start afresh next time.
    dropDecoder(instance);
    throw err;
  }
  if (frameErrors(result).length === 0 && result.samplesDecoded === expectedSamples) return result;
  dropDecoder(instance);
  const fresh = await getDecoder();
  try {
    return await decodeOnce(fresh, frames);
  } finally {
    dropDecoder(fresh); // it has seen a damaged stream
  }
}

function decodeQueued(frames: Uint8Array[], expectedSamples: number): Promise<FlacDecodeResult> {
  const result = queue.then(() => runDecoder(frames, expectedSamples));
  queue = result.catch(() => undefined);
  return result;
}

/**
 * Re-scale the library's output to our convention (integer / 2^(bits-1)).
 *
 * The wasm decoder divides each integer sample v by 2^(bits-1) - 1 in float32 (so -32768 comes out as
 * -1.0000305 and 32767 as exactly 1). We recover v as round(x * (2^(bits-1) - 1)): the float32 quotient x is
 * within half an ulp of v / D, i.e. at most 2^-24 for |x| < 2 (and 2^-25 for |x| < 1), so x * D is within
 * 2^-24 * 2^23 < 0.5 of v for 24-bit (less for narrower samples) and rounding gives v back exactly; the
 * product itself is exact in double. Then v / 2^(bits-1) is exact in float32 for up to 24 bits.
 */
function rescale(x: Float32Array, length: number, bits: number): Float32Array {
  const divisor = 2 ** (bits - 1) - 1;
  const scale = 1 / 2 ** (bits - 1);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(x[i] * divisor) * scale;
  return out;
}

export async function decodeFlac(bytes: Uint8Array, start = 0, options: DecodeOptions = {}): Promise<DecodedAudio> {
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
  if (info.bitsPerSample !== 8 && info.bitsPerSample !== 16 && info.bitsPerSample !== 24) {
    // The wasm build scales only 8/16/24/32-bit output (other widths divide by an uninitialised value), and for
    // 32-bit its float32 output cannot be turned back into exact integers (see rescale). Both are rare.
    throw new AudioDecodeError(`unsupported FLAC encoding: ${info.bitsPerSample}-bit samples (8, 16 and 24-bit are supported)`);
  }
  // What the frames hold, whatever STREAMINFO says (0 = unknown, or an understatement): counted before decoding.
  const maxSamples = options.maxSamples;
  const maxFrames = maxSamples === undefined ? Infinity : Math.floor(maxSamples / info.channels);
  const split = splitFrames(bytes, info.audioOffset, maxFrames);
  if (maxSamples !== undefined && split.overLimit) throw new AudioTooLongError(maxSamples, maxSamples, info, 'more-than');
  if (split.frames.length === 0) {
    throw new AudioDecodeError(`truncated file: the first FLAC frame is incomplete (${plural(split.incompleteTail, 'byte')} present)`);
  }

  let result: FlacDecodeResult;
  try {
    result = await decodeQueued(split.frames, split.samples);
  } catch (err) {
    throw new AudioDecodeError(`corrupt FLAC data: decoder failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const errors = frameErrors(result);
  if (errors.length > 0) {
    const first = errors[0];
    throw new AudioDecodeError(`corrupt FLAC data: ${plural(errors.length, 'frame error')}, first in frame ${first.frameNumber}: ${first.message}`);
  }
  if (result.samplesDecoded !== split.samples) {
    throw new AudioDecodeError(`corrupt FLAC data: the frames hold ${plural(split.samples, 'sample')} but ${result.samplesDecoded} decoded`);
  }
  if (result.bitDepth !== info.bitsPerSample || result.channelData.length !== info.channels || result.sampleRate !== info.sampleRate) {
    throw new AudioDecodeError(
      `corrupt FLAC data: frames (${result.bitDepth}-bit, ${result.channelData.length} ch, ${result.sampleRate} Hz) disagree with STREAMINFO (${info.bitsPerSample}-bit, ${info.channels} ch, ${info.sampleRate} Hz)`,
    );
  }
  const decoded: DecodedAudio = {
    sampleRate: info.sampleRate,
    channels: result.channelData
      .slice(0, options.firstChannelOnly ? 1 : undefined)
      .map((c) => rescale(c, result.samplesDecoded, info.bitsPerSample)),
    format,
  };
  if (split.incompleteTail > 0) {
    const count = info.totalSamples > 0 ? `${split.samples} of ${info.totalSamples} samples` : plural(split.samples, 'sample');
    decoded.warnings = [
      `truncated file: the FLAC stream does not end with a whole frame (cut short, or junk appended); decoded the ${plural(split.frames.length, 'whole frame')} before it (${count})`,
    ];
  } else if (info.totalSamples > split.samples) {
    decoded.warnings = [`truncated file: STREAMINFO declares ${plural(info.totalSamples, 'sample')} but the frames hold ${split.samples}; kept those`];
  }
  return decoded;
}
