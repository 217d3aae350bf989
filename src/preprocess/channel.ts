/**
 * Turning a decoded (possibly multi-channel) file into the one mono signal a dataset holds, and the checks that
 * decide whether a signal is worth keeping at all.
 */

/** `first`: the first channel only (the study's `data[:, 0]`); `mix`: the mean of all channels. */
export type ChannelMode = 'first' | 'mix';

/** The accepted modes, for CLI choices and config validation. */
export const CHANNEL_MODES: readonly ChannelMode[] = ['first', 'mix'];

/**
 * One mono signal from the channels of a file. `first` returns the first channel's array itself (no copy: the
 * caller owns the decoded data anyway); `mix` returns a new array with the per-sample mean, summed in double so
 * that many channels do not lose precision. A mono file gives the same values in both modes.
 */
export function selectChannel(channels: Float32Array[], mode: ChannelMode): Float32Array {
  if (channels.length === 0) throw new RangeError('selectChannel: no channels');
  const first = channels[0]!;
  if (mode === 'first') return first;
  if (mode !== 'mix') throw new RangeError(`selectChannel: unknown channel mode '${String(mode)}'`);
  const n = first.length;
  for (let c = 1; c < channels.length; c++) {
    if (channels[c]!.length !== n) {
      throw new RangeError(`selectChannel: channel ${c} has ${channels[c]!.length} samples, channel 0 has ${n}`);
    }
  }
  if (channels.length === 1) return first;
  const out = new Float32Array(n);
  const scale = 1 / channels.length;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < channels.length; c++) sum += channels[c]![i]!;
    out[i] = sum * scale;
  }
  return out;
}

/**
 * Why a signal cannot become a training example, or null when it can. Checked before peak alignment: an empty
 * signal has no peak, NaN/Inf would poison every batch it lands in, and a silent one has no peak to align (the
 * study's argmax would pick index 0 and keep pure silence as an example).
 */
export function checkSamples(x: Float32Array): string | null {
  return scanSamples(x).reason;
}

/**
 * checkSamples' verdict and, in the same pass, the peak's index: the first index of the largest absolute value
 * (peakIndex's answer; -1 when there is a reason), so that a signal that needs no resampling is read once.
 */
export function scanSamples(x: Float32Array): { reason: string | null; peak: number } {
  if (x.length === 0) return { reason: 'no samples', peak: -1 };
  let peak = 0;
  let at = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) return { reason: `contains NaN or Inf samples at index ${i}`, peak: -1 }; // NaN or ±Inf only
    const a = v < 0 ? -v : v;
    if (a > peak) {
      peak = a;
      at = i;
    }
  }
  if (peak === 0) return { reason: 'silent (peak 0)', peak: -1 };
  return { reason: null, peak: at };
}
