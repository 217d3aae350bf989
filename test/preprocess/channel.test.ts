import { checkSamples, scanSamples, selectChannel, CHANNEL_MODES } from '../../src/preprocess/channel';

describe('selectChannel', () => {
  const left = Float32Array.from([1, 0.5, -0.25, 0]);
  const right = Float32Array.from([0, 0.5, 0.25, -1]);

  it('first takes channel 0 as it is (the study\'s data[:, 0])', () => {
    expect(selectChannel([left, right], 'first')).toEqual(left);
  });

  it('mix takes the per-sample mean of all channels', () => {
    expect(Array.from(selectChannel([left, right], 'mix'))).toEqual([0.5, 0.5, 0, -0.5]);
    const third = Float32Array.from([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(selectChannel([left, right, third], 'mix'))).toEqual([0.5, 0.5, 0.5 / 3, -0.5 / 3].map(Math.fround));
  });

  it('a mono file gives the same values in both modes', () => {
    for (const mode of CHANNEL_MODES) expect(Array.from(selectChannel([left], mode))).toEqual(Array.from(left));
  });

  it('rejects no channels, channels of different lengths and unknown modes', () => {
    expect(() => selectChannel([], 'first')).toThrow(/no channels/);
    expect(() => selectChannel([left, new Float32Array(3)], 'mix')).toThrow(/channel 1 has 3 samples, channel 0 has 4/);
    expect(() => selectChannel([left], 'loudest' as never)).toThrow(/unknown channel mode 'loudest'/);
  });
});

describe('checkSamples', () => {
  it('names empty, non-finite and silent signals', () => {
    expect(checkSamples(new Float32Array(0))).toBe('no samples');
    expect(checkSamples(Float32Array.from([0, 0.1, NaN, Infinity]))).toBe('contains NaN or Inf samples at index 2');
    expect(checkSamples(Float32Array.from([0, -Infinity]))).toBe('contains NaN or Inf samples at index 1');
    expect(checkSamples(new Float32Array(10))).toBe('silent (peak 0)');
  });

  it('accepts any finite signal with a non-zero sample', () => {
    expect(checkSamples(Float32Array.from([0, 0, -1e-6]))).toBeNull();
    expect(checkSamples(Float32Array.from([1]))).toBeNull();
  });
});

describe('scanSamples', () => {
  it("gives checkSamples' verdict and peakIndex's answer in one pass", () => {
    const { peakIndex } = require('../../src/preprocess/peak-align') as typeof import('../../src/preprocess/peak-align');
    for (const values of [[0.1, -0.9, 0.5], [0, 0.5, -0.8, 0.8], [0.3], [0, 0, -1e-30]]) {
      const x = Float32Array.from(values);
      expect(scanSamples(x)).toEqual({ reason: null, peak: peakIndex(x) });
    }
    for (const values of [[], [0, 0], [0, NaN], [1, -Infinity], [Infinity]]) {
      const x = Float32Array.from(values);
      expect(scanSamples(x)).toEqual({ reason: checkSamples(x), peak: -1 });
      expect(scanSamples(x).reason).not.toBeNull();
    }
    expect(scanSamples(Float32Array.from([0.5, NaN])).reason).toBe('contains NaN or Inf samples at index 1');
  });
});
