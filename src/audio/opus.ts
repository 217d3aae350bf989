import { AudioDecodeError, AudioTooLongError } from './errors';
import { plural } from './bytes';
import { readOggStream } from './ogg';
import { DecodedAudio, DecodeOptions } from './types';
import { decodeErrors, loadDecoderBundle, withoutConsoleErrors } from './wasm-bundle';

/*
 * Ogg Opus (RFC 7845): packets are decoded by libopus compiled to wasm (opus-decoder, the decoder that the same
 * family's ogg-opus-decoder wraps). We do the Ogg part ourselves (ogg.ts) rather than use ogg-opus-decoder, because
 * that package's only non-ESM build is a webpack bundle for browsers that throws "Automatic publicPath is not
 * supported" when loaded in Node (and jest cannot load its ESM build, see wasm-bundle.ts); it also brings a 4 MB
 * speech-enhancement model we have no use for. What it does around libopus is small and specified by RFC 7845,
 * and is done here: the pre-skip (the encoder's delay, dropped by the decoder), the end trimmed to the last page's
 * granule position, and the header's output gain.
 *
 * Opus always decodes at 48 kHz, whatever rate the original had (the header's "input sample rate" is only
 * informational): a 44.1 kHz sample comes back at 48 kHz and preprocessing resamples it like any other file.
 */

const OPUS_RATE = 48000;

interface OpusResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
}
interface OpusDecoderInstance {
  ready: Promise<void>;
  decodeFrames(frames: Uint8Array[]): OpusResult;
  free(): void;
}
interface OpusModule {
  OpusDecoder: new (options: {
    channels: number;
    streamCount: number;
    coupledStreamCount: number;
    channelMappingTable: number[];
    preSkip: number;
  }) => OpusDecoderInstance;
}

const PACKAGE = 'opus-decoder';

function loadOpusModule(): OpusModule {
  return loadDecoderBundle<OpusModule>(PACKAGE, 'opus-decoder.min.js', ['OpusDecoder']);
}

/** The identification header, 'OpusHead' (RFC 7845 §5.1). */
export interface OpusHead {
  channels: number;
  preSkip: number;
  /** The sample rate of the original, informational only (Opus decodes at 48 kHz). */
  inputSampleRate: number;
  /** Output gain in dB, to apply to the decoded signal. */
  gainDb: number;
  streamCount: number;
  coupledStreamCount: number;
  channelMapping: number[];
}

export function parseOpusHead(packet: Uint8Array): OpusHead {
  if (packet.length < 19 || String.fromCharCode(...packet.subarray(0, 8)) !== 'OpusHead') {
    throw new AudioDecodeError('corrupt Opus header: the first packet is not a 19-byte OpusHead');
  }
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const version = packet[8]!;
  // The upper four bits are the major version: a change there is incompatible (RFC 7845 §5.1).
  if (version >> 4 !== 0) throw new AudioDecodeError(`unsupported Opus stream: header version ${version}`);
  const channels = packet[9]!;
  if (channels === 0) throw new AudioDecodeError('corrupt Opus header: 0 channels');
  const head = {
    channels,
    preSkip: view.getUint16(10, true),
    inputSampleRate: view.getUint32(12, true),
    gainDb: view.getInt16(16, true) / 256,
  };
  const family = packet[18]!;
  if (family === 0) {
    if (channels > 2) throw new AudioDecodeError(`corrupt Opus header: ${channels} channels with channel mapping family 0 (at most 2)`);
    return { ...head, streamCount: 1, coupledStreamCount: channels - 1, channelMapping: channels === 1 ? [0] : [0, 1] };
  }
  if (packet.length < 21 + channels) throw new AudioDecodeError(`corrupt Opus header: the channel mapping table for ${channels} channels is cut short`);
  const streamCount = packet[19]!;
  const coupledStreamCount = packet[20]!;
  const channelMapping = Array.from(packet.subarray(21, 21 + channels));
  if (streamCount === 0 || coupledStreamCount > streamCount || channelMapping.some((m) => m !== 255 && m >= streamCount + coupledStreamCount)) {
    throw new AudioDecodeError(`corrupt Opus header: ${streamCount} streams (${coupledStreamCount} coupled) do not fit its channel mapping`);
  }
  return { ...head, streamCount, coupledStreamCount, channelMapping };
}

/** Samples per frame at 48 kHz for each TOC configuration (RFC 6716 §3.1, table 2): SILK, hybrid, CELT. */
const FRAME_SAMPLES = [
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, // SILK NB/MB/WB: 10, 20, 40, 60 ms
  480, 960, 480, 960, // hybrid SWB/FB: 10, 20 ms
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, // CELT: 2.5, 5, 10, 20 ms
];

/**
 * Samples (per channel, at 48 kHz) that an Opus packet decodes to, from its TOC byte and frame count (RFC 6716
 * §3.1–3.2), or a reason it is malformed. In a multistream packet (more than two channels) every stream has the
 * same duration, so the first stream's TOC gives it.
 */
export function opusPacketSamples(packet: Uint8Array): number | string {
  if (packet.length === 0) return 'an empty packet';
  const toc = packet[0]!;
  const code = toc & 0x03;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    if (packet.length < 2) return 'a code 3 packet without its frame count';
    frames = packet[1]! & 0x3f;
    if (frames === 0) return 'a packet of 0 frames';
  }
  const samples = frames * FRAME_SAMPLES[toc >> 3]!;
  if (samples > 5760) return `a packet of ${samples / 48} ms (at most 120 ms)`;
  return samples;
}

export async function decodeOpus(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const stream = readOggStream(bytes, 'Opus');
  const warnings = stream.warning ? [stream.warning] : [];
  if (stream.packets.length === 0) throw new AudioDecodeError('truncated file: the Ogg Opus stream ends before its OpusHead');
  const head = parseOpusHead(stream.packets[0]!.data);
  if (stream.packets.length < 2) throw new AudioDecodeError('truncated file: the Ogg Opus stream ends inside its headers');
  if (String.fromCharCode(...stream.packets[1]!.data.subarray(0, 8)) !== 'OpusTags') {
    throw new AudioDecodeError('corrupt Opus header: the second packet is not OpusTags');
  }
  const audio = stream.packets.slice(2);
  if (audio.length === 0) {
    throw new AudioDecodeError(stream.warning ? 'truncated file: the Ogg Opus stream ends before its first audio packet' : 'no audio data: the Ogg Opus stream holds no audio packets');
  }
  // Every packet's length in samples, before decoding: the limit is checked, and the granule positions placed.
  const durations = audio.map((packet, i) => {
    const samples = opusPacketSamples(packet.data);
    if (typeof samples === 'string') throw new AudioDecodeError(`corrupt Opus data: audio packet ${i + 1} is ${samples}`);
    return samples;
  });
  const total = durations.reduce((n, d) => n + d, 0);
  const layout = { channels: head.channels, sampleRate: OPUS_RATE };
  const decodedFrames = Math.max(0, total - head.preSkip);
  if (options.maxSamples !== undefined && decodedFrames * head.channels > options.maxSamples) {
    throw new AudioTooLongError(decodedFrames * head.channels, options.maxSamples, layout, 'counted');
  }

  const keep = keptWindow(stream.pages, audio.map((p) => p.page), durations, head.preSkip);
  const { OpusDecoder } = loadOpusModule();
  const decoder = new OpusDecoder({
    channels: head.channels,
    streamCount: head.streamCount,
    coupledStreamCount: head.coupledStreamCount,
    channelMappingTable: head.channelMapping,
    preSkip: head.preSkip,
  });
  let result: OpusResult;
  try {
    await decoder.ready;
    try {
      result = withoutConsoleErrors(() => decoder.decodeFrames(audio.map((p) => p.data)));
    } catch (err) {
      throw new AudioDecodeError(`corrupt Opus data: decoder failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  } finally {
    decoder.free();
  }
  const errors = decodeErrors(result, PACKAGE);
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new AudioDecodeError(`corrupt Opus data: ${plural(errors.length, 'packet error')}, first in packet ${first.frameNumber + 1}: ${first.message}`);
  }
  if (result.samplesDecoded !== decodedFrames || result.channelData.length !== head.channels) {
    throw new AudioDecodeError(
      `corrupt Opus data: the packets hold ${plural(decodedFrames, 'sample')} after the pre-skip in ${head.channels} channels, but ${result.samplesDecoded} decoded in ${result.channelData.length}`,
    );
  }
  const end = keep === null ? decodedFrames : Math.min(decodedFrames, keep);
  if (end <= 0) throw new AudioDecodeError('no audio data: the Ogg Opus stream ends within its pre-skip (0 samples)');
  const gain = 10 ** (head.gainDb / 20);
  const channels = result.channelData.slice(0, options.firstChannelOnly ? 1 : undefined).map((c) => {
    const out = c.length === end ? c : c.slice(0, end);
    if (gain !== 1) for (let i = 0; i < out.length; i++) out[i] = out[i]! * gain;
    return out;
  });
  const decoded: DecodedAudio = { sampleRate: OPUS_RATE, channels, format: 'Ogg Opus' };
  if (warnings.length > 0) decoded.warnings = warnings;
  return decoded;
}

/**
 * How many samples after the pre-skip the stream keeps (RFC 7845 §4.3–4.5), or null to keep all that decode (a
 * stream cut short has no end-of-stream page to say). The granule position of a page counts the samples up to the
 * end of the last packet completed on it, pre-skip included, from the stream's start; the last page's tells where
 * the audio ends, which trims the encoder's padding of the last packet. A stream may start at a later granule
 * position (cut out of a longer one): the first audio page's granule position minus the samples of its packets is
 * then that offset. A first page whose granule position is smaller than its packets' samples is invalid unless it is
 * also the last page (RFC 7845 §4.5: only the end may be trimmed).
 */
function keptWindow(pages: { granule: number; endsStream: boolean }[], packetPages: number[], durations: number[], preSkip: number): number | null {
  const firstPage = packetPages[0]!;
  let onFirstPage = 0;
  for (let i = 0; i < packetPages.length && packetPages[i] === firstPage; i++) onFirstPage += durations[i]!;
  const firstGranule = pages[firstPage]!.granule;
  if (firstGranule < 0) throw new AudioDecodeError('corrupt Ogg Opus data: the first audio page ends a packet but has no granule position');
  const last = pages[pages.length - 1]!;
  if (firstGranule < onFirstPage && !pages[firstPage]!.endsStream) {
    throw new AudioDecodeError(
      `corrupt Ogg Opus data: the first audio page's granule position (${firstGranule}) is smaller than its packets' ${plural(onFirstPage, 'sample')}`,
    );
  }
  if (!last.endsStream) return null;
  if (last.granule < 0) throw new AudioDecodeError('corrupt Ogg Opus data: the end-of-stream page has no granule position');
  const offset = Math.max(0, firstGranule - onFirstPage);
  return last.granule - offset - preSkip;
}
