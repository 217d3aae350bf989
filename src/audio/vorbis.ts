import { AudioDecodeError, AudioTooLongError } from './errors';
import { plural } from './bytes';
import { OggStream, readOggStream } from './ogg';
import { DecodedAudio, DecodeOptions } from './types';
import { decodeErrors, loadDecoderBundle, withoutConsoleErrors } from './wasm-bundle';

/*
 * Ogg Vorbis: packets are decoded by libvorbis compiled to wasm (@wasm-audio-decoders/ogg-vorbis); the pages are
 * checked by us first (ogg.ts). The library trims the last packet's output to the end-of-stream page's granule
 * position, so a whole file decodes to exactly the samples that were encoded: Vorbis has no encoder delay to undo
 * (checked against oggenc's encodes of a known signal in test/audio/lossy.test.ts).
 */

interface VorbisResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
}
interface VorbisDecoderInstance {
  ready: Promise<void>;
  decode(data: Uint8Array): Promise<VorbisResult>;
  flush(): Promise<VorbisResult>;
  free(): void;
}
interface VorbisModule {
  OggVorbisDecoder: new () => VorbisDecoderInstance;
}

const PACKAGE = '@wasm-audio-decoders/ogg-vorbis';

function loadVorbisModule(): VorbisModule {
  return loadDecoderBundle<VorbisModule>(PACKAGE, 'ogg-vorbis-decoder.min.js', ['OggVorbisDecoder']);
}

/** The identification header (Vorbis I spec §4.2.2). */
export interface VorbisIdentification {
  channels: number;
  sampleRate: number;
  /** The long block size: no packet decodes to more than half of it per channel. */
  longBlock: number;
}

export function parseVorbisIdentification(packet: Uint8Array): VorbisIdentification {
  if (packet.length < 30 || packet[0] !== 0x01 || String.fromCharCode(...packet.subarray(1, 7)) !== 'vorbis') {
    throw new AudioDecodeError('corrupt Vorbis header: the first packet is not a 30-byte identification header');
  }
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const version = view.getUint32(7, true);
  const channels = packet[11]!;
  const sampleRate = view.getUint32(12, true);
  const shortBlock = 2 ** (packet[28]! & 0x0f);
  const longBlock = 2 ** (packet[28]! >> 4);
  if (version !== 0) throw new AudioDecodeError(`unsupported Vorbis stream: version ${version} (only Vorbis I, version 0, exists)`);
  if (channels === 0) throw new AudioDecodeError('corrupt Vorbis header: 0 channels');
  if (sampleRate === 0) throw new AudioDecodeError('corrupt Vorbis header: sample rate 0');
  if (shortBlock < 64 || longBlock > 8192 || shortBlock > longBlock) {
    throw new AudioDecodeError(`corrupt Vorbis header: block sizes ${shortBlock}/${longBlock}`);
  }
  return { channels, sampleRate, longBlock };
}

/**
 * The library copies each packet into an input buffer of this size (128 KiB) without checking; a larger packet
 * would throw a RangeError from inside it. Real packets are a few hundred bytes.
 */
const MAX_PACKET_BYTES = 128 * 1024;

/**
 * How many samples (frames × channels) one call to the decoder may at most produce when the caller set a limit: the
 * pages are fed in batches whose packets cannot decode to more than this, and the running total is checked against
 * the limit after each, so memory stays within the limit plus one batch whatever the granule positions claim.
 */
export const VORBIS_BATCH_SAMPLES = 1 << 20;

export async function decodeVorbis(bytes: Uint8Array, options: DecodeOptions = {}, batchSamples = VORBIS_BATCH_SAMPLES): Promise<DecodedAudio> {
  const stream = readOggStream(bytes, 'Vorbis');
  const warnings = stream.warning ? [stream.warning] : [];
  const headers = stream.packets.slice(0, 3);
  if (headers.length === 0) throw new AudioDecodeError('truncated file: the Ogg Vorbis stream ends before its identification header');
  const info = parseVorbisIdentification(headers[0]!.data);
  if (headers.length < 3) {
    throw new AudioDecodeError(`truncated file: the Ogg Vorbis stream ends inside its headers (${headers.length} of 3 header packets)`);
  }
  if (headers[1]!.data[0] !== 0x03 || headers[2]!.data[0] !== 0x05) {
    throw new AudioDecodeError('corrupt Vorbis header: the second and third packets are not the comment and setup headers');
  }
  const audio = stream.packets.slice(3);
  if (audio.length === 0) {
    throw new AudioDecodeError(stream.warning ? `truncated file: the Ogg Vorbis stream ends before its first audio packet` : 'no audio data: the Ogg Vorbis stream holds no audio packets');
  }
  const oversized = audio.findIndex((p) => p.data.length > MAX_PACKET_BYTES);
  if (oversized >= 0) {
    throw new AudioDecodeError(`corrupt Vorbis data: audio packet ${oversized + 1} is ${plural(audio[oversized]!.data.length, 'byte')} long`);
  }

  const perPacket = (info.longBlock / 2) * info.channels;
  const batches = options.maxSamples === undefined ? [stream.end] : batchEnds(stream, perPacket, batchSamples);
  const { OggVorbisDecoder } = loadVorbisModule();
  const decoder = new OggVorbisDecoder();
  const parts: Float32Array[][] = [];
  let frames = 0;
  const take = (result: VorbisResult) => {
    const errors = decodeErrors(result, PACKAGE);
    if (errors.length > 0) {
      const first = errors[0]!;
      throw new AudioDecodeError(`corrupt Vorbis data: ${plural(errors.length, 'packet error')}, first in packet ${first.frameNumber}: ${first.message}`);
    }
    if (result.samplesDecoded === 0) return;
    if (result.channelData.length !== info.channels || result.sampleRate !== info.sampleRate) {
      throw new AudioDecodeError(
        `corrupt Vorbis data: decoded ${result.channelData.length} channels at ${result.sampleRate} Hz, the header says ${info.channels} at ${info.sampleRate} Hz`,
      );
    }
    frames += result.samplesDecoded;
    if (options.maxSamples !== undefined && frames * info.channels > options.maxSamples) {
      throw new AudioTooLongError(options.maxSamples, options.maxSamples, info, 'more-than');
    }
    parts.push(result.channelData.slice(0, options.firstChannelOnly ? 1 : undefined));
  };
  const run = async (call: () => Promise<VorbisResult>) => {
    try {
      // decode() and flush() parse and decode synchronously before returning their promise (see the source).
      return await withoutConsoleErrors(call);
    } catch (err) {
      throw new AudioDecodeError(`corrupt Vorbis data: decoder failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  };
  try {
    await decoder.ready;
    let from = 0;
    for (const to of batches) {
      take(await run(() => decoder.decode(bytes.subarray(from, to))));
      from = to;
    }
    // The library's Ogg parser holds back the last page it has seen until it sees the next one (or a flush).
    take(await run(() => decoder.flush()));
  } finally {
    decoder.free();
  }
  if (frames === 0) throw new AudioDecodeError('no audio data: the Ogg Vorbis stream decodes to 0 samples');
  const missing = missingSamples(stream, audio, info, frames);
  if (missing > 0) {
    throw new AudioDecodeError(
      `corrupt Vorbis data: the end-of-stream page says the stream holds ${plural(frames + missing, 'sample')} but its packets decode to ${frames} (damaged packets that the decoder skipped)`,
    );
  }
  const channelCount = options.firstChannelOnly ? 1 : info.channels;
  const channels = Array.from({ length: channelCount }, (_, c) => concatenated(parts.map((p) => p[c]!), frames));
  const decoded: DecodedAudio = { sampleRate: info.sampleRate, channels, format: 'Ogg Vorbis' };
  if (warnings.length > 0) decoded.warnings = warnings;
  return decoded;
}

/**
 * Samples the decoder silently lost: libvorbis skips some damaged packets without reporting an error (a packet
 * whose type bit says "header", an empty one), which would leave a gap inside the sound. The end-of-stream page's
 * granule position says how many samples the stream holds when it starts at 0, which every file an encoder wrote
 * does; a stream cut out of a longer one (a live recording) starts later, and its first audio page's granule
 * position then exceeds what the packets on that page could possibly hold: for such a stream nothing is checked.
 * 0 when nothing is missing or nothing can be said (no end-of-stream page: the file was cut short).
 */
function missingSamples(stream: OggStream, audio: { page: number }[], info: VorbisIdentification, decoded: number): number {
  const last = stream.pages[stream.pages.length - 1]!;
  if (!last.endsStream || last.granule < 0) return 0;
  const firstPage = audio[0]!.page;
  const onFirstPage = audio.filter((p) => p.page === firstPage).length;
  const firstGranule = stream.pages[firstPage]!.granule;
  if (firstGranule > (onFirstPage * info.longBlock) / 2) return 0;
  return Math.max(0, last.granule - decoded);
}

/**
 * Byte offsets at which to cut the stream into decoder calls: after whole pages, each batch's packets able to
 * decode to at most `budget` samples (one page at least, whatever its size).
 */
function batchEnds(stream: OggStream, perPacket: number, budget: number): number[] {
  const ends: number[] = [];
  let inBatch = 0;
  for (let i = 0; i < stream.pages.length; i++) {
    const page = stream.pages[i]!;
    const next = i + 1 < stream.pages.length ? stream.pages[i + 1]!.offset : stream.end;
    inBatch += page.packetsEnding * perPacket;
    if (inBatch >= budget || i === stream.pages.length - 1) {
      ends.push(next);
      inBatch = 0;
    }
  }
  return ends;
}

function concatenated(parts: Float32Array[], length: number): Float32Array {
  if (parts.length === 1 && parts[0]!.length === length) return parts[0]!;
  const out = new Float32Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
