/**
 * Second-order IIR filters from Robert Bristow-Johnson's "Audio EQ Cookbook". Hand-written because none of the
 * installed libraries filters audio, and a biquad is ten lines whose response has a closed form to test against
 * (see `biquadMagnitude`).
 */

/** Normalised coefficients (a0 divided out): y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]. */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export type BiquadType = 'lowpass' | 'highpass' | 'bandpass';

/**
 * Cookbook coefficients for a filter at `frequency` Hz with quality `q`. The band-pass is the "constant 0 dB peak
 * gain" variant, so its gain at the centre frequency is exactly 1 whatever Q is: mixing levels stay predictable.
 */
export function biquadCoefficients(type: BiquadType, frequency: number, q: number, sampleRate: number): BiquadCoefficients {
  if (!(frequency > 0 && frequency < sampleRate / 2)) {
    throw new RangeError(`biquad frequency ${frequency} Hz must lie in (0, ${sampleRate / 2}) Hz for sample rate ${sampleRate}`);
  }
  if (!(q > 0)) throw new RangeError(`biquad Q must be positive, got ${q}`);
  const w0 = (2 * Math.PI * frequency) / sampleRate;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  let b0: number;
  let b1: number;
  let b2: number;
  switch (type) {
    case 'lowpass':
      b0 = (1 - cos) / 2;
      b1 = 1 - cos;
      b2 = (1 - cos) / 2;
      break;
    case 'highpass':
      b0 = (1 + cos) / 2;
      b1 = -(1 + cos);
      b2 = (1 + cos) / 2;
      break;
    case 'bandpass':
      b0 = alpha;
      b1 = 0;
      b2 = -alpha;
      break;
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

/** Filters `input` into a new array (direct form I, zero initial state). */
export function biquadFilter(input: Float32Array | Float64Array, c: BiquadCoefficients): Float64Array {
  const out = new Float64Array(input.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let n = 0; n < input.length; n++) {
    const x = input[n]!;
    const y = c.b0 * x + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = y;
    out[n] = y;
  }
  return out;
}

/** |H(e^{jw})| at `frequency` Hz, evaluated from the transfer function (the reference the filter is tested against). */
export function biquadMagnitude(c: BiquadCoefficients, frequency: number, sampleRate: number): number {
  const w = (2 * Math.PI * frequency) / sampleRate;
  // H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) with z = e^{jw}.
  const nr = c.b0 + c.b1 * Math.cos(w) + c.b2 * Math.cos(2 * w);
  const ni = -(c.b1 * Math.sin(w) + c.b2 * Math.sin(2 * w));
  const dr = 1 + c.a1 * Math.cos(w) + c.a2 * Math.cos(2 * w);
  const di = -(c.a1 * Math.sin(w) + c.a2 * Math.sin(2 * w));
  return Math.hypot(nr, ni) / Math.hypot(dr, di);
}
