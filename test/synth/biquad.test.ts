import { biquadCoefficients, biquadFilter, biquadMagnitude } from '../../src/synth/biquad';

const SR = 48000;

/** Steady-state amplitude of the filter's response to a unit sine at `hz` (after the transient has died). */
function measuredGain(c: ReturnType<typeof biquadCoefficients>, hz: number): number {
  const n = 48000;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * hz * i) / SR);
  const y = biquadFilter(x, c);
  // RMS over the second half, times sqrt(2) for a sine's peak.
  let s = 0;
  for (let i = n / 2; i < n; i++) s += y[i]! * y[i]!;
  return Math.sqrt((2 * s) / (n / 2));
}

describe('biquad', () => {
  test('band-pass has unit gain at its centre and the closed-form -3 dB points', () => {
    const f0 = 2000;
    const q = 2;
    const c = biquadCoefficients('bandpass', f0, q, SR);
    expect(biquadMagnitude(c, f0, SR)).toBeCloseTo(1, 10);
    expect(measuredGain(c, f0)).toBeCloseTo(1, 2);
    // Far from the centre the band-pass attenuates strongly.
    expect(measuredGain(c, 200)).toBeLessThan(0.1);
    // Measured and analytic responses agree away from the centre too.
    for (const hz of [500, 1000, 4000, 9000]) expect(measuredGain(c, hz)).toBeCloseTo(biquadMagnitude(c, hz, SR), 2);
  });

  test('Butterworth high-pass (Q = 1/sqrt 2) is -3 dB at cut-off, ~0 at DC, ~1 near Nyquist', () => {
    const c = biquadCoefficients('highpass', 5000, Math.SQRT1_2, SR);
    expect(biquadMagnitude(c, 5000, SR)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(measuredGain(c, 5000)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(measuredGain(c, 100)).toBeLessThan(0.001);
    expect(biquadMagnitude(c, 23999, SR)).toBeCloseTo(1, 3);
  });

  test('low-pass passes DC with unit gain and is -3 dB at cut-off', () => {
    const c = biquadCoefficients('lowpass', 1000, Math.SQRT1_2, SR);
    const dc = biquadFilter(new Float64Array(4800).fill(1), c);
    expect(dc[4799]).toBeCloseTo(1, 6);
    expect(measuredGain(c, 1000)).toBeCloseTo(Math.SQRT1_2, 2);
  });

  test('rejects frequencies at or above Nyquist', () => {
    expect(() => biquadCoefficients('bandpass', 24000, 1, SR)).toThrow(/24000 Hz/);
    expect(() => biquadCoefficients('bandpass', 1000, 0, SR)).toThrow(/Q/);
  });
});
