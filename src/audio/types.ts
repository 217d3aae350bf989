/** Audio after decoding: one Float32Array per channel, all the same length, nominally in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
  /** What the file held, for reports: e.g. 'WAV PCM 24-bit', 'FLAC 16-bit', 'AIFC sowt 16-bit'. */
  format: string;
  /**
   * Things that were odd but not fatal, e.g. a truncated data chunk from which only the whole frames present were
   * decoded. Absent when there is nothing to say. Optional so that code building a DecodedAudio by hand need not
   * mention it.
   */
  warnings?: string[];
}

/** What a caller lets a decode cost; both default to everything. */
export interface DecodeOptions {
  /**
   * Most samples (frames × channels) the file may declare or hold: beyond it the decode stops with an
   * AudioTooLongError before the samples are allocated (a compressed file can decode to far more than its size).
   */
  maxSamples?: number;
  /** Decode only the first channel (DecodedAudio.channels then has one array): all a chain that keeps it needs. */
  firstChannelOnly?: boolean;
}
