import { describeSampleLimit, groupDigits, samplesAsDuration } from './sizes';

/**
 * Why a file could not be decoded. The message is the human reason only ("unsupported WAV encoding: mu-law
 * (format tag 0x0007)"), never the file name: callers prefix the file themselves, e.g. preprocessing turns it into
 * a "skipped: <reason>" line.
 */
export class AudioDecodeError extends Error {
  override readonly name = 'AudioDecodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A file holding (or declaring) more audio than the caller allows, refused before the samples are allocated. `samples`
 * counts frames × channels. `how`: the header declares them; the decoder counted them; or the decoder stopped as soon
 * as it had found more than the limit (FLAC frames, whose header may not say how many there are): `samples` is then
 * the limit.
 */
export class AudioTooLongError extends AudioDecodeError {
  constructor(
    readonly samples: number,
    readonly limit: number,
    readonly layout: { channels: number; sampleRate: number },
    readonly how: 'declared' | 'counted' | 'more-than',
  ) {
    const file = samplesAsDuration(samples, layout.channels, layout.sampleRate);
    const what =
      how === 'declared'
        ? `its header declares ${groupDigits(samples)} samples (frames × channels: ${file})`
        : how === 'counted'
          ? `it holds ${groupDigits(samples)} samples (frames × channels: ${file})`
          : `it holds more than ${groupDigits(samples)} samples (frames × channels: over ${file})`;
    super(`too long: ${what}; the limit is ${describeSampleLimit(limit)}`);
  }
}
