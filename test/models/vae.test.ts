import * as tf from '@tensorflow/tfjs';
import { buildVae, gaussianKl, reparameterize, sampleLatent } from '../../src/models/vae';
import { UserError } from '../../src/errors';

const L = 64;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function denseLayers(model: tf.LayersModel): { name: string; units: number; activation: string }[] {
  return model.layers
    .filter((l) => l.getClassName() === 'Dense')
    .map((l) => ({ name: l.name, units: l.getConfig().units as number, activation: l.getConfig().activation as string }));
}

const t2 = (rows: number[][]) => tf.tensor2d(rows);
const scalar = (t: tf.Tensor) => t.dataSync()[0]!;

describe('buildVae', () => {
  test('default layers: medium tanh (96, 24 | 24, 96), linear mean and log-variance heads, linear output', () => {
    const { encoder, meanEncoder, decoder } = buildVae({ size: 'medium', activation: 'tanh', latent: 2, length: L, seed: 1 });
    expect(denseLayers(encoder)).toEqual([
      { name: 'enc_dense_1', units: 96, activation: 'tanh' },
      { name: 'enc_dense_2', units: 24, activation: 'tanh' },
      { name: 'enc_mean', units: 2, activation: 'linear' },
      { name: 'enc_log_var', units: 2, activation: 'linear' },
    ]);
    expect(encoder.outputs.map((o) => o.shape)).toEqual([[null, 2], [null, 2]]);
    // The mean encoder is the path to μ only: no log-variance head in what gets exported.
    expect(denseLayers(meanEncoder).map((l) => l.name)).toEqual(['enc_dense_1', 'enc_dense_2', 'enc_mean']);
    expect(meanEncoder.outputs[0]!.shape).toEqual([null, 2]);
    expect(denseLayers(decoder)).toEqual([
      { name: 'dec_dense_1', units: 24, activation: 'tanh' },
      { name: 'dec_dense_2', units: 96, activation: 'tanh' },
      { name: 'dec_dense_3', units: L, activation: 'linear' },
    ]);
    expect(decoder.inputs[0]!.shape).toEqual([null, 2]);
    expect(decoder.outputs[0]!.shape).toEqual([null, L]);
    // Σ(in·out + out): encoder L→96→24 plus two 24→2 heads; decoder 2→24→96→L.
    expect(encoder.countParams()).toBe(L * 96 + 96 + 96 * 24 + 24 + 2 * (24 * 2 + 2));
    expect(meanEncoder.countParams()).toBe(L * 96 + 96 + 96 * 24 + 24 + 24 * 2 + 2);
    expect(decoder.countParams()).toBe(2 * 24 + 24 + 24 * 96 + 96 + 96 * L + L);
  });

  test('the mean encoder shares the training encoder’s weights and outputs its first output', () => {
    const { encoder, meanEncoder } = buildVae({ size: 'small', activation: 'relu', latent: 3, length: L, seed: 2 });
    // Change the shared weights through the training encoder: the mean encoder must follow.
    encoder.setWeights(encoder.getWeights().map((w, i) => tf.randomNormal(w.shape, 0, 0.5, 'float32', 10 + i)));
    const x = tf.randomNormal([5, L], 0, 1, 'float32', 3);
    const [mean, logVar] = encoder.predict(x) as tf.Tensor[];
    expect(Array.from((meanEncoder.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(mean!.dataSync()));
    expect(Array.from(mean!.dataSync())).not.toEqual(Array.from(logVar!.dataSync()));
  });

  test('custom units, and the same seed gives the same initial weights', () => {
    const opts = { size: 'big' as const, activation: 'sigmoid' as const, latent: 2, length: L, seed: 5, encoderUnits: [10, 5], decoderUnits: [7] };
    const a = buildVae(opts);
    const b = buildVae(opts);
    const c = buildVae({ ...opts, seed: 6 });
    expect(denseLayers(a.encoder).map((l) => l.units)).toEqual([10, 5, 2, 2]);
    expect(denseLayers(a.decoder).map((l) => l.units)).toEqual([7, L]);
    const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
    expect(flat(b.encoder)).toEqual(flat(a.encoder));
    expect(flat(b.decoder)).toEqual(flat(a.decoder));
    expect(flat(c.encoder)).not.toEqual(flat(a.encoder));
  });

  test('bad options are user errors naming the key', () => {
    const ok = { size: 'medium' as const, activation: 'tanh' as const, latent: 2, length: L, seed: 1 };
    expect(() => buildVae({ ...ok, latent: 0 })).toThrow(UserError);
    expect(() => buildVae({ ...ok, latent: 0 })).toThrow(/model\.latent.*0/);
    expect(() => buildVae({ ...ok, encoderUnits: [4, 1.5] })).toThrow(/model\.encoder_units\[1\].*1\.5/);
    expect(() => buildVae({ ...ok, size: 'huge' as never })).toThrow(/model\.size.*huge/);
  });
});

describe('gaussianKl (closed form, summed over latent dims, mean over batch)', () => {
  test('μ = 0, log σ² = 0 is the prior itself: KL 0', () => {
    expect(scalar(gaussianKl(t2([[0, 0], [0, 0]]), t2([[0, 0], [0, 0]])))).toBeCloseTo(0, 7);
  });

  test('hand-computed values', () => {
    // Per dimension KL = ½(σ² + μ² − 1 − ln σ²).
    // Row 1: μ = (1, −2), σ² = (1, 4): ½(1+1−1−0) + ½(4+4−1−ln 4) = 0.5 + 2.8068528… = 3.3068528…
    // Row 2: μ = (0, 0), σ² = (1, 1): 0.  Batch mean: 1.6534264…
    const kl = scalar(gaussianKl(t2([[1, -2], [0, 0]]), t2([[0, Math.log(4)], [0, 0]])));
    expect(kl).toBeCloseTo((0.5 + 0.5 * (7 - Math.log(4))) / 2, 5);
  });

  test('equals numerical integration of ∫ q log(q/p) dz', () => {
    // Independent reference: for a diagonal Gaussian the KL is the sum of 1-D KLs, each integrated numerically.
    const mean = [0.7, -1.3, 0.2];
    const logVar = [-1.2, 0.9, 0.0];
    const normalPdfLog = (z: number, m: number, v: number) => -0.5 * Math.log(2 * Math.PI * v) - ((z - m) ** 2) / (2 * v);
    let numeric = 0;
    mean.forEach((m, d) => {
      const v = Math.exp(logVar[d]!);
      const s = Math.sqrt(v);
      const n = 20000;
      const lo = m - 12 * s;
      const h = (24 * s) / n;
      for (let i = 0; i <= n; i++) {
        const z = lo + i * h;
        const lq = normalPdfLog(z, m, v);
        const w = i === 0 || i === n ? 0.5 : 1; // trapezoid
        numeric += w * h * Math.exp(lq) * (lq - normalPdfLog(z, 0, 1));
      }
    });
    expect(scalar(gaussianKl(t2([mean]), t2([logVar])))).toBeCloseTo(numeric, 4);
  });
});

describe('sampling (reparameterisation)', () => {
  test('z = μ + exp(½ log σ²)·ε for a given ε', () => {
    const z = reparameterize(t2([[1, -1]]), t2([[Math.log(4), Math.log(0.25)]]), t2([[0.5, 2]]));
    const got = Array.from(z.dataSync());
    expect(got[0]).toBeCloseTo(1 + 2 * 0.5, 6);
    expect(got[1]).toBeCloseTo(-1 + 0.5 * 2, 6);
  });

  test('with a very negative log-variance z ≈ μ', () => {
    const mean = t2([[0.3, -2.5], [1.75, 0]]);
    const z = sampleLatent(mean, tf.fill([2, 2], -60) as tf.Tensor2D, 7);
    Array.from(z.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(mean.dataSync()[i]!, 6));
  });

  test('ε is N(0, I), seeded: same seed same z, another seed another z', () => {
    const n = 20000;
    const mean = tf.fill([n, 2], 3) as tf.Tensor2D;
    const logVar = tf.fill([n, 2], Math.log(0.25)) as tf.Tensor2D;
    const a = sampleLatent(mean, logVar, 11);
    expect(Array.from(sampleLatent(mean, logVar, 11).dataSync())).toEqual(Array.from(a.dataSync()));
    expect(Array.from(sampleLatent(mean, logVar, 12).dataSync())).not.toEqual(Array.from(a.dataSync()));
    // z ~ N(3, 0.25): sample mean within ~5 standard errors (0.5/√40000 = 0.0025), variance near 0.25.
    const { mean: m, variance } = tf.moments(a);
    expect(Math.abs(scalar(m) - 3)).toBeLessThan(0.0125);
    expect(Math.abs(scalar(variance) - 0.25)).toBeLessThan(0.01);
  });
});
