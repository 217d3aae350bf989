import { AudioDecodeError, AudioTooLongError } from './errors';
import { plural } from './bytes';
import { firstMpegHeader, walkMp3Frames } from './mp3-frames';
import { DecodedAudio, DecodeOptions } from './types';
import { decodeErrors, loadDecoderBundle, withoutConsoleErrors } from './wasm-bundle';

/*
 * MP3: frames are decoded by mpg123 compiled to wasm (mpg123-decoder); the frames are found by us first
 * (mp3-frames.ts).
 *
 * Encoder delay and padding. An MP3 encoder puts silence before the signal (LAME: 576 samples) and pads the last
 * frame, and the decoder's synthesis filterbank adds 529 samples of delay of its own. LAME (and ffmpeg) record the
 * encoder's delay and padding in the Info frame; mpg123's gapless mode (on) uses them to cut both, so a file with
 * that frame decodes to exactly the samples that were encoded, with the attack where it was (checked against
 * LAME's encodes of a known signal in test/audio/lossy.test.ts). A file without it (older or other encoders,
 * `lame -t`) does not say how much silence its encoder added: mpg123 then cuts nothing, and we cut the decoder's
 * own 529 samples, which are known, and warn that the start still carries the encoder's delay (576 samples, 13 ms at
 * 44.1 kHz, for LAME): preprocessing aligns each sample on its peak, so the delay moves nothing in a dataset, but
 * the samples' lengths and the leading silence differ from the original.
 */

/** mpg123's GAPLESS_DELAY: the Layer III synthesis delay, which its gapless mode cuts with the encoder's delay. */
export const MP3_DECODER_DELAY = 529;

interface Mp3Result {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
}
interface Mp3DecoderInstance {
  ready: Promise<void>;
  decode(data: Uint8Array): Mp3Result;
  free(): void;
}
interface Mp3Module {
  MPEGDecoder: new (options?: { enableGapless?: boolean }) => Mp3DecoderInstance;
}

const PACKAGE = 'mpg123-decoder';

function loadMp3Module(): Mp3Module {
  return loadDecoderBundle<Mp3Module>(PACKAGE, 'mpg123-decoder.min.js', ['MPEGDecoder']);
}

export async function decodeMp3(bytes: Uint8Array, start: number, options: DecodeOptions = {}): Promise<DecodedAudio> {
  // Frames, not samples, bound the walk: a frame decodes to a fixed number of samples per channel.
  const first = firstMpegHeader(bytes, start);
  const maxFrames = options.maxSamples === undefined ? Infinity : Math.floor(options.maxSamples / (first.samples * first.channels));
  const frames = walkMp3Frames(bytes, start, maxFrames);
  const layout = { channels: frames.first.channels, sampleRate: frames.first.sampleRate };
  if (options.maxSamples !== undefined && frames.audioFrames > maxFrames) {
    throw new AudioTooLongError(options.maxSamples, options.maxSamples, layout, 'more-than');
  }
  if (frames.audioFrames === 0) {
    throw new AudioDecodeError(frames.warning ? `truncated file: the first MP3 audio frame is incomplete` : 'no audio data: the MP3 holds no audio frames');
  }
  const version = frames.first.version === 1 ? 'MPEG-1' : `MPEG-${frames.first.version}`;

  const { MPEGDecoder } = loadMp3Module();
  const decoder = new MPEGDecoder({ enableGapless: true });
  let result: Mp3Result;
  try {
    await decoder.ready;
    try {
      result = withoutConsoleErrors(() => decoder.decode(bytes.subarray(frames.start, frames.end)));
    } catch (err) {
      throw new AudioDecodeError(`corrupt MP3 data: decoder failed (${err instanceof Error ? err.message : String(err)})`, { cause: err });
    }
  } finally {
    decoder.free();
  }
  const errors = decodeErrors(result, PACKAGE);
  if (errors.length > 0) {
    throw new AudioDecodeError(`corrupt MP3 data: ${plural(errors.length, 'decoder error')}, the first: ${errors[0]!.message}`);
  }
  if (result.samplesDecoded > frames.samples || (result.samplesDecoded > 0 && result.sampleRate !== frames.first.sampleRate)) {
    throw new AudioDecodeError(
      `corrupt MP3 data: ${plural(frames.audioFrames, 'frame')} at ${frames.first.sampleRate} Hz decoded to ${plural(result.samplesDecoded, 'sample')} at ${result.sampleRate} Hz`,
    );
  }
  const warnings = frames.warning ? [frames.warning] : [];
  // mpg123 cuts nothing when it found no gapless information (see above): it then returns every frame's samples.
  const untrimmed = result.samplesDecoded === frames.samples;
  const from = untrimmed ? Math.min(MP3_DECODER_DELAY, result.samplesDecoded) : 0;
  if (untrimmed) {
    warnings.push(
      "the MP3 has no encoder delay information (no LAME Info frame): its start keeps the encoder's delay (LAME's is 576 samples)",
    );
  }
  const length = result.samplesDecoded - from;
  if (length <= 0) throw new AudioDecodeError('no audio data: the MP3 decodes to 0 samples');
  // mpg123 always returns two channels; a mono stream's are the same.
  const kept = options.firstChannelOnly ? 1 : frames.first.channels;
  const channels = result.channelData.slice(0, kept).map((c) => (from === 0 && c.length === length ? c : c.slice(from, from + length)));
  const decoded: DecodedAudio = { sampleRate: frames.first.sampleRate, channels, format: `MP3 (${version} Layer III)` };
  if (warnings.length > 0) decoded.warnings = warnings;
  return decoded;
}
