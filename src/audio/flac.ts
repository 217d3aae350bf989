import { AudioDecodeError } from './errors';
import { fourCC, plural, viewOf } from './bytes';
import { FlacDecoderInstance, FlacDecodeResult, frameErrors, loadFlacModule } from './flac-loader';
import { DecodedAudio } from './types';

/*
 * FLAC: the frames are decoded by libFLAC compiled to wasm (@wasm-audio-decoders/flac); the metadata we read
 * ourselves, because the library decodes garbage to "0 samples, no errors" and does not say how many samples the
 * stream should hold. STREAMINFO gives us the truth to check its output against (rate, channels, bit depth,
 * length).
 *
 * Fewer samples than STREAMINFO declares has two causes that the library does not tell apart: a truncated file
 * (the last frame is cut short) or a corrupt frame, which its frame parser drops silently (and a bad early frame
 * shifts everything after it). We look at the end of the file ourselves: if it ends with a complete frame whose
 * CRC-16 checks out, the file is whole and the missing samples mean corruption, so it is rejected; otherwise it
 * was truncated and, like truncated WAV/AIFF data, the samples decoded are kept with a warning. Errors that libFLAC
 * itself reports (lost sync, bad subframes) always reject the file.
 */

export interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 means "unknown" in FLAC, not "empty". */
  totalSamples: number;
  /** The block size of every frame but the last in a fixed-block-size stream. */
  maxBlockSize: number;
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
      const maxBlockSize = (bytes[body + 2] << 8) | bytes[body + 3];
      info = { sampleRate, channels, bitsPerSample, totalSamples, maxBlockSize };
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

interface FrameHeader {
  /** Bytes in the header, CRC-8 included. */
  length: number;
  /** Frame number (fixed block size) or first sample number (variable block size). */
  number: number;
  variableBlockSize: boolean;
  blockSize: number;
}

/** Parse a frame header at `p` if there is a valid one (sync code and CRC-8). */
function frameHeaderAt(bytes: Uint8Array, p: number): FrameHeader | undefined {
  if (p + 6 > bytes.length || bytes[p] !== 0xff || (bytes[p + 1] & 0xfe) !== 0xf8) return undefined;
  const bsCode = bytes[p + 2] >> 4;
  const rateCode = bytes[p + 2] & 0x0f;
  if (bsCode === 0 || rateCode === 15) return undefined;
  // Frame/sample number in FLAC's UTF-8-like coding: the count of leading 1 bits is its length in bytes.
  const lead = bytes[p + 4];
  let numberLength = 1;
  let number = lead;
  if (lead & 0x80) {
    numberLength = 0;
    for (let bit = 0x80; lead & bit; bit >>= 1) numberLength++;
    if (numberLength < 2 || numberLength > 7) return undefined;
    number = lead & (0x7f >> numberLength);
    for (let i = 1; i < numberLength; i++) {
      const b = bytes[p + 4 + i];
      if ((b & 0xc0) !== 0x80) return undefined;
      number = number * 64 + (b & 0x3f);
    }
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
  return { length: at + 1 - p, number, variableBlockSize: (bytes[p + 1] & 1) === 1, blockSize };
}

/** Frames larger than this are not looked for at the end of the file (libFLAC's own frames stay far below). */
const MAX_FRAME_SEARCH = 1 << 20;

/**
 * If the stream ends with a whole frame (valid header CRC-8, and a CRC-16 over the frame that matches its last two
 * bytes), the sample count at the end of that frame; undefined when the file ends inside a frame.
 */
export function samplesThroughLastFrame(bytes: Uint8Array, audioOffset: number, fixedBlockSize: number): number | undefined {
  const end = bytes.length;
  if (end - audioOffset < 10) return undefined;
  const stored = (bytes[end - 2] << 8) | bytes[end - 1];
  for (let p = end - 10; p >= audioOffset && p >= end - MAX_FRAME_SEARCH; p--) {
    if (bytes[p] !== 0xff) continue;
    const header = frameHeaderAt(bytes, p);
    if (!header) continue;
    let crc = 0;
    for (let i = p; i < end - 2; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[(crc >> 8) ^ bytes[i]];
    if (crc !== stored) continue;
    const first = header.variableBlockSize ? header.number : header.number * fixedBlockSize;
    return first + header.blockSize;
  }
  return undefined;
}

/**
 * The wasm decoder is fed frames only, never STREAMINFO, so it cannot decode frames whose header says "sample
 * rate / sample size: see STREAMINFO" (codes 0). libFLAC writes those only for rates that no header code can
 * express (e.g. 100001 Hz, non-subset streams). Say so plainly instead of passing on libFLAC's "lost sync".
 */
function checkFirstFrameHeader(bytes: Uint8Array, info: StreamInfo): void {
  const at = info.audioOffset;
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1] & 0xfe) !== 0xf8) return;
  const rateCode = bytes[at + 2] & 0x0f;
  const sizeCode = (bytes[at + 3] >> 1) & 0x07;
  if (rateCode === 0 || sizeCode === 0) {
    const what = rateCode === 0 ? `sample rate (${info.sampleRate} Hz)` : `bit depth (${info.bitsPerSample}-bit)`;
    throw new AudioDecodeError(`unsupported FLAC stream: frame headers take the ${what} from STREAMINFO, which the decoder cannot follow`);
  }
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
  if (info.bitsPerSample !== 8 && info.bitsPerSample !== 16 && info.bitsPerSample !== 24) {
    // The wasm build scales only 8/16/24/32-bit output (other widths divide by an uninitialised value), and
    // codec-parser, which splits the stream into frames for it, rejects 32-bit frame headers.
    throw new AudioDecodeError(`unsupported FLAC encoding: ${info.bitsPerSample}-bit samples (8, 16 and 24-bit are supported)`);
  }
  checkFirstFrameHeader(bytes, info);

  let result: FlacDecodeResult;
  try {
    result = await decodeQueued(start === 0 ? bytes : bytes.subarray(start));
  } catch (err) {
    throw new AudioDecodeError(`corrupt FLAC data: decoder failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
  const errors = frameErrors(result);
  if (errors.length > 0) {
    const first = errors[0];
    throw new AudioDecodeError(
      `corrupt FLAC data: ${plural(errors.length, 'frame error')}, first in frame ${first.frameNumber}: ${first.message}`,
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
    channels: result.channelData.map((c) => rescale(c, result.samplesDecoded, info.bitsPerSample)),
    format,
  };
  // Did the library drop frames? Compare with where the last whole frame in the file ends (see the top comment).
  const throughLastFrame = samplesThroughLastFrame(bytes, info.audioOffset, info.maxBlockSize);
  if (throughLastFrame !== undefined && throughLastFrame !== result.samplesDecoded) {
    throw new AudioDecodeError(
      `corrupt FLAC data: decoded ${plural(result.samplesDecoded, 'sample')} but the frames run to sample ${throughLastFrame}; a frame failed its checksum`,
    );
  }
  if (info.totalSamples > 0 && result.samplesDecoded < info.totalSamples) {
    decoded.warnings = [
      `truncated file: STREAMINFO declares ${plural(info.totalSamples, 'sample')} but only ${result.samplesDecoded} are present; kept those`,
    ];
  } else if (throughLastFrame === undefined) {
    decoded.warnings = [`truncated file: the last FLAC frame is incomplete; kept the ${plural(result.samplesDecoded, 'sample')} decoded`];
  }
  return decoded;
}

export function isFlacMagic(bytes: Uint8Array, offset: number): boolean {
  return fourCC(bytes, offset) === 'fLaC';
}
