import { welchPowerSpectrum } from '../eval/spectrum';

/** Power-weighted mean frequency (Hz) of the Welch spectrum (FFT 1024, hop 256): the "brightness" of a sample. */
export function spectralCentroid(x: Float32Array, sampleRate: number): number {
  const p = welchPowerSpectrum(x, 1024, 256);
  let num = 0;
  let den = 0;
  for (let k = 0; k < p.length; k++) {
    num += ((k * sampleRate) / 1024) * p[k]!;
    den += p[k]!;
  }
  return den > 0 ? num / den : 0;
}

/**
 * Decay time (s): from the peak of the short-term RMS envelope (10 ms windows, 50% overlap) to the last window
 * that is still within 40 dB of that peak. A one-shot's ring-out length; 0 for silence.
 */
export function decayTime(x: Float32Array, sampleRate: number, rangeDb = 40): number {
  const win = Math.max(1, Math.round(0.01 * sampleRate));
  const hop = Math.max(1, Math.floor(win / 2));
  const env: number[] = [];
  for (let start = 0; start < x.length; start += hop) {
    let e = 0;
    const end = Math.min(x.length, start + win);
    for (let i = start; i < end; i++) e += x[i]! * x[i]!;
    env.push(Math.sqrt(e / win));
  }
  let peak = 0;
  let peakAt = 0;
  env.forEach((v, i) => {
    if (v > peak) {
      peak = v;
      peakAt = i;
    }
  });
  if (peak === 0) return 0;
  const floor = peak * 10 ** (-rangeDb / 20);
  let last = peakAt;
  for (let i = peakAt; i < env.length; i++) if (env[i]! >= floor) last = i;
  return ((last - peakAt) * hop) / sampleRate;
}
