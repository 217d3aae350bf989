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
