import * as tf from '@tensorflow/tfjs';
import { activeNative, initBackend, loadNative, NativeBinding, NativeIsa } from '../../src/backend';
import { instructionSetsOf } from '../../src/backend/native';
import { nativeMrStft } from '../../src/backend/native-mrstft';
import { MR_STFT_POWER_FLOOR, MR_STFT_SIZES, mrStftTerms, MrStftOptions } from '../../src/eval/reconstruction';
import { mrStftLoss } from '../../src/train/losses';
import { Rng } from '../../src/util/rng';
import { expectNoLeak, nativeBindingForTests, relativeError } from './kernel-helpers';

/**
 * The native multi-resolution STFT loss (native/src/mrstft_isa.inc) against its definition, mrStftTerms
 * (src/eval/reconstruction.ts) run by tfjs on the pure-JS cpu backend: the per-example parts and the gradient in the
 * output, on random and drum-like signals, lengths shorter than the FFT and not multiples of the hop, batches of
 * 1 and several; on every instruction set this CPU has, with one thread and with more threads than cores. The
 * gradient is also checked against central differences of a float64 DFT written out here. Skipped (with a note)
 * where the addon could not be built, unless SAMPGEN_REQUIRE_NATIVE=1.
 */


interface Case {
  name: string;
  rows: number;
  length: number;
  options: MrStftOptions;
  x: Float32Array;
  y: Float32Array;
}

const DEFAULTS: MrStftOptions = { fftSizes: MR_STFT_SIZES, hopRatio: 0.25, scWeight: 1, magWeight: 1 };

function noiseRows(rows: number, length: number, seed: number, amplitude: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * length }, () => amplitude * rng.normal());
}

/**
 * Drum-like rows: a decaying sine (pitch, level, decay drawn per row) plus a decaying noise burst and a faint noise
 * floor, as recorded one-shots have; the floor keeps every bin far above the power floor ε, where the log-magnitude
 * gradient (∝ 1/|T|) would otherwise amplify float32 round-off differences between two correct FFT orders.
 */
function drumRows(rows: number, length: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(rows * length);
  for (let r = 0; r < rows; r++) {
    const f = 0.005 + 0.05 * rng.uniform();
    const a = 0.3 + 0.6 * rng.uniform();
    const d = 150 + 350 * rng.uniform();
    for (let t = 0; t < length; t++) {
      out[r * length + t] = a * Math.exp(-t / d) * Math.sin(2 * Math.PI * f * t) + (0.3 * Math.exp(-t / 40) + 0.01) * rng.normal();
    }
  }
  return out;
}

const CASES: Case[] = [
  {
    name: 'random, batch 3, sizes 256/64/16',
    rows: 3,
    length: 1000,
    options: { fftSizes: [256, 64, 16], hopRatio: 0.25, scWeight: 1, magWeight: 1 },
    x: noiseRows(3, 1000, 1, 0.5),
    y: noiseRows(3, 1000, 2, 0.5),
  },
  {
    name: 'drum-like, batch 2, the default sizes 2048 … 128, length 3001 (no multiple of any hop)',
    rows: 2,
    length: 3001,
    options: DEFAULTS,
    x: drumRows(2, 3001, 3),
    y: drumRows(2, 3001, 4),
  },
  {
    name: 'batch 1 shorter than every FFT but the smallest, hop ratio 1/2, weights 0.7 and 1.3',
    rows: 1,
    length: 37,
    options: { fftSizes: [64, 128, 4], hopRatio: 0.5, scWeight: 0.7, magWeight: 1.3 },
    x: noiseRows(1, 37, 5, 1),
    y: noiseRows(1, 37, 6, 0.3),
  },
  {
    name: 'batch 5, length 517, sizes 512/32/8 at hop ratio 1/8 (FFT 8: hop 1)',
    rows: 5,
    length: 517,
    options: { fftSizes: [512, 32, 8], hopRatio: 0.125, scWeight: 1, magWeight: 0.5 },
    x: drumRows(5, 517, 7),
    y: noiseRows(5, 517, 8, 0.2),
  },
];

/** Three rows: a silent pair, an exact copy and a copy scaled by COPIES_GAIN (of a loud drum-like signal). */
const COPIES_GAIN = 0.5;
const COPIES: Case = (() => {
  const length = 1500;
  const loud = drumRows(1, length, 9).map((v) => v + 0.2);
  const x = new Float32Array(3 * length);
  const y = new Float32Array(3 * length);
  x.set(loud, length);
  y.set(loud, length);
  x.set(loud, 2 * length);
  y.set(loud.map((v) => COPIES_GAIN * v), 2 * length);
  return { name: 'copies', rows: 3, length, options: DEFAULTS, x, y };
})();

/** The definition on the cpu backend: per-example parts and the gradient of mean_b(scW·sc + magW·lm) in y. */
function reference(c: Case): { sc: Float32Array; lm: Float32Array; grad: Float32Array } {
  let out: { sc: Float32Array; lm: Float32Array; grad: Float32Array } | null = null;
  tf.tidy(() => {
    const x = tf.tensor2d(c.x, [c.rows, c.length]);
    const y = tf.tensor2d(c.y, [c.rows, c.length]);
    const { sc, lm } = mrStftTerms(x, y, c.options);
    const loss = (t: tf.Tensor) => {
      const terms = mrStftTerms(x, t as tf.Tensor2D, c.options);
      return tf.mean(tf.add(tf.mul(terms.sc, c.options.scWeight), tf.mul(terms.lm, c.options.magWeight))) as tf.Scalar;
    };
    const grad = tf.grad(loss)(y);
    out = { sc: sc.dataSync() as Float32Array, lm: lm.dataSync() as Float32Array, grad: grad.dataSync() as Float32Array };
  });
  return out!;
}

/** The native kernel on wasm tensors: per-example parts and the gradient scaled by 1/batch (the loss's mean). */
function runNative(x: Float32Array, y: Float32Array, rows: number, length: number, options: MrStftOptions) {
  let out: { sc: Float64Array; lm: Float64Array; grad: Float32Array } | null = null;
  tf.tidy(() => {
    const r = nativeMrStft(tf.tensor2d(x, [rows, length]), tf.tensor2d(y, [rows, length]), options, MR_STFT_POWER_FLOOR, 1 / rows);
    if (!r) throw new Error('the native path did not apply');
    out = { sc: Float64Array.from(r.sc), lm: Float64Array.from(r.lm), grad: r.gradient.dataSync() as Float32Array };
  });
  return out!;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(rel * Math.abs(want[i]!) + 1e-7);
}

/**
 * The distance written out in float64 from its definition (plain DFT, framing from sample 0 with a zero-padded end,
 * periodic Hann, |S| = sqrt(|X|² + ε)), as mean_b(scW·SC + magW·LM): independent of tfjs and of the native code.
 */
function directLoss(x: ArrayLike<number>, y: ArrayLike<number>, rows: number, length: number, o: MrStftOptions): number {
  const magnitudes = (s: ArrayLike<number>, row: number, n: number, hop: number) => {
    const frames = length <= n ? 1 : 1 + Math.ceil((length - n) / hop);
    const out: number[] = [];
    for (let f = 0; f < frames; f++) {
      for (let k = 0; k <= n / 2; k++) {
        let re = 0;
        let im = 0;
        for (let i = 0; i < n && f * hop + i < length; i++) {
          const v = s[row * length + f * hop + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
          re += v * Math.cos((2 * Math.PI * ((k * i) % n)) / n);
          im -= v * Math.sin((2 * Math.PI * ((k * i) % n)) / n);
        }
        out.push(Math.sqrt(re * re + im * im + MR_STFT_POWER_FLOOR));
      }
    }
    return out;
  };
  let total = 0;
  for (let row = 0; row < rows; row++) {
    for (const n of o.fftSizes) {
      const s = magnitudes(x, row, n, n * o.hopRatio);
      const t = magnitudes(y, row, n, n * o.hopRatio);
      let d2 = 0;
      let r2 = 0;
      let lm = 0;
      s.forEach((a, i) => {
        d2 += (a - t[i]!) ** 2;
        r2 += a * a;
        lm += Math.abs(Math.log(a) - Math.log(t[i]!));
      });
      total += (o.scWeight * Math.sqrt(d2)) / Math.sqrt(r2) + (o.magWeight * lm) / s.length;
    }
  }
  return total / o.fftSizes.length / rows;
}

const nativeBinding = nativeBindingForTests('native mr_stft');
if (nativeBinding) {
  const binding: NativeBinding = nativeBinding;
  const info = binding.info();
  const isas = instructionSetsOf(info);
  const defaultThreads = info.threads;
  const references = new Map<string, ReturnType<typeof reference>>();

  beforeAll(async () => {
    await initBackend('cpu', () => undefined);
    for (const c of [...CASES, COPIES]) references.set(c.name, reference(c));
    await initBackend('wasm', () => undefined);
    expect(activeNative()).toBe(binding);
  }, 120000);
  afterAll(() => {
    binding.configure({ isa: 'best', threads: defaultThreads });
  });

  describe.each(isas.flatMap((isa) => [1, 3].map((threads) => ({ isa, threads }))))('$isa, $threads thread(s)', ({ isa, threads }) => {
    beforeAll(() => {
      binding.configure({ isa, threads });
      expect(binding.info().isa).toBe(isa);
      expect(binding.info().threads).toBe(threads);
    });

    it.each(CASES.map((c) => [c.name, c] as const))('%s: the parts and the gradient of mrStftTerms', (_name, c) => {
      const want = references.get(c.name)!;
      const got = runNative(c.x, c.y, c.rows, c.length, c.options);
      // (The gradient's tolerance is the reference's: tfjs' float32 DFT products are off by ~3e-5 here.)
      expectClose(got.sc, want.sc, 2e-6);
      expectClose(got.lm, want.lm, 2e-6);
      expect(relativeError(got.grad, want.grad)).toBeLessThanOrEqual(2e-4);
    });

    it('a silent pair, an exact copy and a scaled copy: 0, 0 (gradient 0) and SC ≈ |1 − a|, LM ≈ |ln a|', () => {
      const { x, y, length } = COPIES;
      const a = COPIES_GAIN;
      const got = runNative(x, y, 3, length, DEFAULTS);
      expect(Array.from(got.sc.subarray(0, 2))).toEqual([0, 0]);
      expect(Array.from(got.lm.subarray(0, 2))).toEqual([0, 0]);
      expect(got.grad.subarray(0, 2 * length).every((v) => v === 0)).toBe(true);
      // ≈, not =: the tail's quietest bins sit near the power floor, where the ratio of magnitudes tends to 1
      expect(Math.abs(got.sc[2]! - (1 - a))).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(got.lm[2]! - Math.abs(Math.log(a)))).toBeLessThanOrEqual(1e-3);
      const want = references.get(COPIES.name)!;
      expectClose(got.sc, want.sc, 2e-6);
      expectClose(got.lm, want.lm, 2e-6);
      // The scaled copy's row (no bin of equal magnitudes) has the definition's gradient; so does the silent pair's
      // (|T|'s gradient vanishes at a zero spectrum). tfjs' |·|' is −1 at 0, so its exact copy's row is not 0.
      expect(relativeError(got.grad.subarray(2 * length), want.grad.subarray(2 * length))).toBeLessThanOrEqual(2e-4);
      expect(want.grad.subarray(0, length).every((v) => v === 0)).toBe(true);
    });
  });

  it('the results do not depend on the thread count (one example per task)', () => {
    const c = CASES[1]!; // enough work to be shared (Pool::kMinParallelWork)
    for (const isa of isas) {
      const runs = [1, 2, 3].map((threads) => {
        binding.configure({ isa, threads });
        return runNative(c.x, c.y, c.rows, c.length, c.options);
      });
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
    }
    binding.configure({ isa: 'best', threads: defaultThreads });
  });

  it('the gradient equals central differences of the float64 DFT definition', () => {
    const rows = 2;
    const length = 150;
    const options: MrStftOptions = { fftSizes: [32, 8], hopRatio: 0.25, scWeight: 0.7, magWeight: 1.3 };
    const x = noiseRows(rows, length, 11, 0.5);
    const y = noiseRows(rows, length, 12, 0.5);
    const got = runNative(x, y, rows, length, options);
    const yy = Float64Array.from(y);
    let norm = 0;
    let err = 0;
    for (const i of [0, 1, 17, 75, 149, 150, 231, 299]) {
      const h = 1e-5;
      const plus = yy.slice();
      const minus = yy.slice();
      plus[i]! += h;
      minus[i]! -= h;
      const fd = (directLoss(x, plus, rows, length, options) - directLoss(x, minus, rows, length, options)) / (2 * h);
      norm = Math.max(norm, Math.abs(fd));
      err = Math.max(err, Math.abs(got.grad[i]! - fd));
    }
    expect(norm).toBeGreaterThan(0);
    expect(err / norm).toBeLessThanOrEqual(1e-3);
  });

  it("mrStftLoss runs it on wasm: the value is the parts' weighted mean, tf.grad the native gradient times dy", () => {
    const c = CASES[0]!;
    const spy = jest.spyOn(binding, 'mrStft');
    try {
      const want = references.get(c.name)!;
      const [value, grad] = tf.tidy(() => {
        const x = tf.tensor2d(c.x, [c.rows, c.length]);
        const y = tf.tensor2d(c.y, [c.rows, c.length]);
        const v = mrStftLoss(x, y, c.options).dataSync()[0]!;
        const g = tf.grad((t: tf.Tensor) => tf.mul(3, mrStftLoss(x, t as tf.Tensor2D, c.options)))(y).dataSync() as Float32Array;
        return [v, g] as const;
      });
      expect(spy).toHaveBeenCalled();
      let expected = 0;
      for (let b = 0; b < c.rows; b++) expected += (c.options.scWeight * want.sc[b]! + c.options.magWeight * want.lm[b]!) / c.rows;
      expect(Math.abs(value - expected)).toBeLessThanOrEqual(2e-5 * expected);
      expect(relativeError(grad, want.grad.map((v) => 3 * v))).toBeLessThanOrEqual(2e-4);
    } finally {
      spy.mockRestore();
    }
  });

  it('mrStftLoss with its gradient leaks no tensor', async () => {
    const x = noiseRows(2, 300, 13, 0.5);
    const y = noiseRows(2, 300, 14, 0.5);
    const options: MrStftOptions = { fftSizes: [64, 16], hopRatio: 0.25, scWeight: 1, magWeight: 1 };
    await expectNoLeak(() => {
      const a = tf.tensor2d(x, [2, 300]);
      const b = tf.tensor2d(y, [2, 300]);
      tf.dispose([mrStftLoss(a, b, options), tf.grad((t: tf.Tensor) => mrStftLoss(a, t as tf.Tensor2D, options))(b)]);
      tf.dispose([a, b]);
    });
  });

  it('rejects FFT sizes that are not powers of two and operands outside the heap', () => {
    const heap = new ArrayBuffer(4 * 64);
    expect(() => binding.mrStft(heap, new Float64Array([1, 16, 0, 64, 128, 1, 1, 1e-7, 1, 1, 12, 3]))).toThrow(/powers of two/);
    expect(() => binding.mrStft(heap, new Float64Array([1, 16, 0, 64, 200, 1, 1, 1e-7, 1, 1, 8, 2]))).toThrow(/outside the wasm heap/);
    expect(() => binding.mrStft(heap, new Float64Array([1, 16, 0, 64, 128, 1, 1, 1e-7, 1, 2, 8, 2]))).toThrow(/at least one/);
  });
}
