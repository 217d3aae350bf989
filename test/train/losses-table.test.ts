import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/backend';
import { checkLayer } from '../../src/config/validate';
import { mrStftDistance } from '../../src/eval/reconstruction';
import { hannWindow } from '../../src/eval/spectrum';
import { ENVELOPE_LOSS, envelopeLoss, logMelLoss, meanSquaredError, mrStftLoss, reconstructionLoss } from '../../src/train/losses';
import { Rng } from '../../src/util/rng';

function noise(seed: number, length: number, amplitude = 0.5): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, (_, n) => amplitude * rng.normal() * Math.exp(-n / (length / 2)));
}

/** |X[f,k]| by the O(N²) definition, with sampgen's framing (frames from 0, zero-padded end) and periodic Hann. */
function directMagnitudes(x: ArrayLike<number>, n: number, hop: number, powerFloor: number): number[] {
  const frames = x.length <= n ? 1 : 1 + Math.ceil((x.length - n) / hop);
  const out: number[] = [];
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k <= n / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        const v = f * hop + i < x.length ? x[f * hop + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)) : 0;
        re += v * Math.cos((2 * Math.PI * k * i) / n);
        im -= v * Math.sin((2 * Math.PI * k * i) / n);
      }
      out.push(Math.sqrt(re * re + im * im + powerFloor));
    }
  }
  return out;
}

/** The multi-resolution STFT distance written out from its definition in docs/metrics.md, in float64. */
function directMrStft(x: ArrayLike<number>, y: ArrayLike<number>, sizes: number[], hopRatio: number): number {
  let total = 0;
  for (const n of sizes) {
    const s = directMagnitudes(x, n, n * hopRatio, 1e-7);
    const t = directMagnitudes(y, n, n * hopRatio, 1e-7);
    let d2 = 0;
    let r2 = 0;
    let lm = 0;
    s.forEach((a, i) => {
      d2 += (a - t[i]!) ** 2;
      r2 += a * a;
      lm += Math.abs(Math.log(a) - Math.log(t[i]!));
    });
    total += Math.sqrt(d2) / Math.sqrt(r2) + lm / s.length;
  }
  return total / sizes.length;
}

const batchOf = (rows: Float32Array[]) => tf.tensor2d(rows.map((r) => Array.from(r)));
const valueOf = (t: tf.Scalar) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe.each(['cpu', 'wasm'] as const)('losses on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend, () => undefined);
  });

  test('mr_stft equals the O(N²) DFT definition, averaged over the batch', () => {
    const xs = [noise(1, 100), noise(2, 100)];
    const ys = [noise(3, 100), xs[1]!.map((v) => 0.5 * v)];
    const options = { fftSizes: [32, 16], hopRatio: 0.25, scWeight: 1, magWeight: 1 };
    const expected = (directMrStft(xs[0]!, ys[0]!, [32, 16], 0.25) + directMrStft(xs[1]!, ys[1]!, [32, 16], 0.25)) / 2;
    expect(valueOf(mrStftLoss(batchOf(xs), batchOf(ys), options))).toBeCloseTo(expected, 4);
  });

  test("mr_stft with its defaults is evaluate's mr_stft metric on the same signals", () => {
    const xs = [noise(4, 3000), noise(5, 3000)];
    const ys = [noise(6, 3000), xs[1]!.map((v, i) => v + 0.05 * Math.sin(i))];
    const metric = (mrStftDistance(xs[0]!, ys[0]!).total + mrStftDistance(xs[1]!, ys[1]!).total) / 2;
    expect(valueOf(reconstructionLoss({ mr_stft: 1 }, batchOf(xs), batchOf(ys)))).toBeCloseTo(metric, 4);
  });

  test('a plain mse is the fused MSE, and a weighted sum is the weighted sum of its parts', () => {
    const x = batchOf([noise(7, 256), noise(8, 256)]);
    const y = batchOf([noise(9, 256), noise(10, 256)]);
    const mse = valueOf(meanSquaredError(y, x));
    expect(valueOf(reconstructionLoss('mse', x, y))).toBe(mse);
    const parts = {
      mae: valueOf(reconstructionLoss('mae', x, y)),
      mr_stft: valueOf(reconstructionLoss('mr_stft', x, y)),
      log_mel: valueOf(reconstructionLoss('log_mel', x, y)),
      envelope: valueOf(reconstructionLoss('envelope', x, y)),
    };
    const sum = valueOf(reconstructionLoss({ mse: 2, mae: 0.5, mr_stft: 1.5, log_mel: 0.25, envelope: 3 }, x, y));
    expect(sum).toBeCloseTo(2 * mse + 0.5 * parts.mae + 1.5 * parts.mr_stft + 0.25 * parts.log_mel + 3 * parts.envelope, 4);
    // mr_stft's parameters in the map: sc_weight 0 leaves only the log-magnitude part, and weight scales it.
    const lmOnly = valueOf(mrStftLoss(x, y, { fftSizes: [64], hopRatio: 0.5, scWeight: 0, magWeight: 1 }));
    expect(valueOf(reconstructionLoss({ mr_stft: { weight: 2, fft_sizes: [64], hop_ratio: 0.5, sc_weight: 0 } }, x, y))).toBeCloseTo(2 * lmOnly, 5);
    tf.dispose([x, y]);
  });

  test('log-mel distance: 0 for identical signals, g·ln(10)/10 for a gain of g dB', () => {
    const loud = noise(11, 2048, 0.5).map((v) => v + 0.3);
    const x = batchOf([loud]);
    expect(valueOf(logMelLoss(x, x))).toBe(0);
    for (const g of [6, -12]) {
      const y = batchOf([loud.map((v) => v * 10 ** (g / 20))]);
      expect(valueOf(logMelLoss(x, y))).toBeCloseTo((Math.abs(g) * Math.log(10)) / 10, 2);
      y.dispose();
    }
    x.dispose();
  });

  test('envelope loss: attack-weighted mean of block-RMS differences, by hand', () => {
    const { block, attackSamples, attackBoost, powerFloor } = ENVELOPE_LOSS;
    // Block 0: x = 1, x̂ = 0.5; block 1: both 0.25; block 2 (half-filled, zero-padded): x = 0.2, x̂ = −0.2 (same RMS).
    const length = 2.5 * block;
    const xs = Float32Array.from({ length }, (_, n) => (n < block ? 1 : n < 2 * block ? 0.25 : 0.2));
    const ys = Float32Array.from({ length }, (_, n) => (n < block ? 0.5 : n < 2 * block ? 0.25 : -0.2));
    const w = [0, 1, 2].map((b) => 1 + attackBoost * Math.exp(-(b * block) / attackSamples));
    const rms = (ms: number) => Math.sqrt(ms + powerFloor);
    const expected = (w[0]! * Math.abs(rms(1) - rms(0.25))) / (w[0]! + w[1]! + w[2]!);
    expect(valueOf(envelopeLoss(batchOf([xs]), batchOf([ys])))).toBeCloseTo(expected, 5);
  });
});

describe('gradients against central finite differences (cpu)', () => {
  beforeAll(async () => {
    await initBackend('cpu', () => undefined);
  });

  const specs = [
    { mr_stft: { fft_sizes: [16, 8], hop_ratio: 0.25 } },
    'log_mel' as const,
    'envelope' as const,
    { mse: 1, mr_stft: 0.5 },
  ];
  test.each(specs.map((s) => [JSON.stringify(s), s] as const))('%s', (_name, spec) => {
    const length = spec === 'log_mel' ? 1100 : spec === 'envelope' ? 130 : 40;
    const x = noise(12, length);
    const y = noise(13, length);
    const target = batchOf([x]);
    const loss = (t: tf.Tensor) => reconstructionLoss(spec, target, t);
    const grad = tf.grad(loss)(batchOf([y])).dataSync();
    // A handful of coordinates (the attack, the middle, the end), each by a central difference in float32.
    for (const i of [0, 3, Math.floor(length / 2), length - 1]) {
      const h = 1e-2 * Math.max(1e-3, Math.abs(y[i]!));
      const plus = y.slice();
      const minus = y.slice();
      plus[i]! += h;
      minus[i]! -= h;
      const fd = (valueOf(loss(batchOf([plus]))) - valueOf(loss(batchOf([minus])))) / (plus[i]! - minus[i]!);
      expect(Math.abs(grad[i]! - fd)).toBeLessThanOrEqual(2e-2 * Math.max(Math.abs(fd), 1e-3 * Math.abs(grad[i]!) + 1e-4));
    }
    target.dispose();
  });
});

describe('train.loss in the config schema', () => {
  const issues = (loss: unknown) => checkLayer({ source: 'x.yaml', data: { train: { loss } }, lineOf: () => 3 }).map((i) => i.message);

  test('accepts a name, a weighted sum and mr_stft parameters', () => {
    expect(issues('mse')).toEqual([]);
    expect(issues({ mse: 1, mr_stft: 1 })).toEqual([]);
    expect(issues({ mr_stft: { weight: 1, fft_sizes: [1024, 256], hop_ratio: 0.25, sc_weight: 1, mag_weight: 0.5 } })).toEqual([]);
  });

  test.each([
    ['an unknown name', 'mse2', '"mse2"'],
    ['an unknown key', { mse: 1, stft: 1 }, 'got a mapping'],
    ['a weight of 0', { mse: 0 }, 'got a mapping'],
    ['a negative weight', { mse: 1, mr_stft: -1 }, 'got a mapping'],
    ['an empty map', {}, 'got a mapping'],
    ['an FFT size that is not a power of two', { mr_stft: { fft_sizes: [1000] } }, 'got a mapping'],
  ])('rejects %s with one message naming train.loss and what it accepts', (_what, loss, shown) => {
    const messages = issues(loss);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^train\.loss must be one of mse, mae, mr_stft, log_mel, envelope, or a non-empty mapping/);
    expect(messages[0]).toContain(shown);
  });
});

describe('mr_stft at FFT sizes of real use, against a float64 reference', () => {
  test('the gradient of mr_stft at sizes 256 and 128 equals central differences of the direct float64 DFT', async () => {
    await initBackend('cpu', () => undefined);
    const length = 300;
    const x = noise(21, length);
    const y = noise(22, length);
    const sizes = [256, 128];
    const grad = tf.grad((t: tf.Tensor) => mrStftLoss(batchOf([x]) as tf.Tensor2D, t as tf.Tensor2D, { fftSizes: sizes, hopRatio: 0.5, scWeight: 1, magWeight: 1 }))(batchOf([y])).dataSync();
    // Central differences of the plain-JS float64 distance: exact to ~1e-8, so the float32 gradient is what is judged.
    const reference = (v: Float64Array) => directMrStft(x, v, sizes, 0.5);
    const yy = Float64Array.from(y);
    let norm = 0;
    let err = 0;
    for (const i of [0, 1, 57, 128, 150, 211, 299]) {
      const h = 1e-5;
      const plus = yy.slice();
      const minus = yy.slice();
      plus[i]! += h;
      minus[i]! -= h;
      const fd = (reference(plus) - reference(minus)) / (2 * h);
      norm = Math.max(norm, Math.abs(fd));
      err = Math.max(err, Math.abs(grad[i]! - fd));
    }
    expect(norm).toBeGreaterThan(0);
    expect(err).toBeLessThan(1e-3 * norm + 1e-7);
  });
});
