/**
 * Sizes of audio in words, for the messages that refuse a file: one unit (samples = frames × channels, the count of
 * float32 values a decode allocates) with its meaning in time alongside, so that a user can compare a file with the
 * limit at a glance.
 */

/** 11520000 → '11,520,000'. */
export function groupDigits(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function trimmed(x: number, decimals: number): string {
  return x.toFixed(decimals).replace(/\.?0+$/, '');
}

/** Seconds in the unit a person would use: '0.25 s', '45 s', '2 min', '10.5 min', '1 h', '1.5 h'. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${trimmed(seconds, 3)} s`;
  if (seconds < 120) return `${trimmed(seconds, 1)} s`;
  if (seconds < 3600) return `${trimmed(seconds / 60, 1)} min`;
  return `${trimmed(seconds / 3600, 1)} h`;
}

/** 48000 → '48 kHz', 44100 → '44.1 kHz', 500 → '500 Hz'. */
export function formatRate(hz: number): string {
  return hz >= 1000 ? `${trimmed(hz / 1000, 3)} kHz` : `${hz} Hz`;
}

function channelWord(channels: number): string {
  return channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels}-channel`;
}

/** '10 min of mono audio at 48 kHz': how long `samples` (frames × channels) last in a given layout. */
export function samplesAsDuration(samples: number, channels: number, sampleRate: number): string {
  return `${formatDuration(samples / channels / sampleRate)} of ${channelWord(channels)} audio at ${formatRate(sampleRate)}`;
}

/** A limit on frames × channels in words: '11,520,000 samples (2 min of stereo audio at 48 kHz)'. */
export function describeSampleLimit(limit: number): string {
  return `${groupDigits(limit)} samples (${samplesAsDuration(limit, 2, 48000)})`;
}
