import * as tf from '@tensorflow/tfjs';
import { initBackend, loadNative, NativeBinding } from '../../src/backend';
import { Rng } from '../../src/util/rng';

/**
 * Shared by the wasm-patch and native-kernel tests: the pure-JS cpu backend is the independent reference; same
 * inputs, same op, relative error max|wasm − cpu| / max|cpu| ≤ 1e-4.
 */

export type Shape = number[];

export function randomArray(shape: Shape, rng: Rng): Float32Array {
  const a = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
}

/** Runs `f` on fresh tensors made from `arrays` on one backend; returns the outputs' values. */
export async function runOn(backend: 'cpu' | 'wasm', arrays: [Float32Array, Shape][], f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) {
  await initBackend(backend, () => undefined);
  const out = tf.tidy(() => {
    const r = f(...arrays.map(([a, s]) => tf.tensor(a, s)));
    return Array.isArray(r) ? r : [r];
  });
  const values = out.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  tf.dispose(out);
  return values;
}

export function relativeError(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / Math.max(scale, 1e-30);
}

/** Computes `f` on cpu and on wasm from the same random inputs and expects equal results. */
export async function expectSameOnWasm(seed: number, shapes: Shape[], f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) {
  const rng = new Rng(seed);
  const arrays = shapes.map((s) => [randomArray(s, rng), s] as [Float32Array, Shape]);
  const want = await runOn('cpu', arrays, f);
  const got = await runOn('wasm', arrays, f);
  expect(got.map((g) => g.shape)).toEqual(want.map((w) => w.shape));
  for (let i = 0; i < want.length; i++) {
    expect(want[i].data.length).toBeGreaterThan(0);
    expect(relativeError(got[i].data, want[i].data)).toBeLessThanOrEqual(1e-4);
  }
}

/** Runs `f` on wasm and expects no tensor and no wasm buffer to outlive it. */
export async function expectNoLeak(f: () => void) {
  await initBackend('wasm', () => undefined);
  f(); // first call may create lasting state (nothing here should, but measure the steady state)
  const tensors = tf.memory().numTensors;
  const buffers = tf.backend().numDataIds();
  f();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(tf.backend().numDataIds()).toBe(buffers);
}

/** Sum of f(...)·r with a fixed random r, so that the gradients see a non-uniform upstream gradient. */
export function weightedSum(y: tf.Tensor, seed: number): tf.Scalar {
  const r = tf.tensor(randomArray(y.shape, new Rng(seed)), y.shape);
  return tf.sum(tf.mul(y, r));
}

export const TRANSPOSES = [
  [true, false],
  [false, true],
  [true, true],
  [false, false],
] as const;

export interface ConvCase {
  name: string;
  x: Shape; // NHWC (or NCHW with dataFormat)
  filter: Shape; // [fh, fw, in, out]
  strides: [number, number];
  pad: 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat?: 'NHWC' | 'NCHW';
}

export const CONV_CASES: ConvCase[] = [
  { name: 'model-like 1-D, k25 s4 same', x: [2, 1, 64, 2], filter: [1, 25, 2, 3], strides: [1, 4], pad: 'same' },
  { name: 'model first layer, 1 input channel', x: [2, 1, 48, 1], filter: [1, 25, 1, 4], strides: [1, 4], pad: 'same' },
  { name: '1-D k5 s2 same', x: [3, 1, 40, 3], filter: [1, 5, 3, 4], strides: [1, 2], pad: 'same' },
  { name: '1-D k3 s1 valid', x: [2, 1, 17, 4], filter: [1, 3, 4, 2], strides: [1, 1], pad: 'valid' },
  { name: '1-D k3 s4 valid, input tail unused', x: [2, 1, 10, 2], filter: [1, 3, 2, 3], strides: [1, 4], pad: 'valid' },
  { name: '1-D k4 s4 same (taps = stride)', x: [2, 1, 32, 3], filter: [1, 4, 3, 2], strides: [1, 4], pad: 'same' },
  { name: '1-D explicit padding', x: [2, 1, 21, 2], filter: [1, 6, 2, 3], strides: [1, 3], pad: [[0, 0], [0, 0], [4, 1], [0, 0]] },
  { name: '1-D rows, height 3', x: [2, 3, 20, 2], filter: [1, 5, 2, 2], strides: [1, 2], pad: 'same' },
  // outputs at least 64 wide: the native filter gradient by phases (one GEMM over every output position)
  { name: '1-D wide output, k25 s4 same', x: [3, 1, 300, 3], filter: [1, 25, 3, 5], strides: [1, 4], pad: 'same' },
  { name: '1-D wide output, k5 s2 valid, rows of height 2', x: [2, 2, 150, 4], filter: [1, 5, 4, 3], strides: [1, 2], pad: 'valid' },
  { name: '1-D wide output, k3 s1 explicit padding', x: [2, 1, 70, 2], filter: [1, 3, 2, 17], strides: [1, 1], pad: [[0, 0], [0, 0], [2, 1], [0, 0]] },
  { name: '2-D k3x3 s1 same', x: [2, 6, 5, 3], filter: [3, 3, 3, 2], strides: [1, 1], pad: 'same' },
  { name: '2-D k3x2 s2x3 valid', x: [1, 7, 9, 2], filter: [3, 2, 2, 3], strides: [2, 3], pad: 'valid' },
  { name: '2-D explicit padding', x: [2, 5, 6, 2], filter: [2, 3, 2, 2], strides: [2, 2], pad: [[0, 0], [1, 2], [0, 3], [0, 0]] },
  { name: '2-D k3x3 s2 same, odd sizes', x: [1, 7, 5, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 'same' },
  { name: '2-D NCHW', x: [2, 3, 6, 5], filter: [3, 2, 3, 2], strides: [1, 2], pad: 'same', dataFormat: 'NCHW' },
];

export function convOutShape(c: ConvCase): Shape {
  const nchw = c.dataFormat === 'NCHW';
  const inShape = (nchw ? [c.x[0], c.x[2], c.x[3], c.x[1]] : c.x) as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inShape, c.filter as [number, number, number, number], c.strides, 1, c.pad);
  return nchw ? [info.batchSize, info.outChannels, info.outHeight, info.outWidth] : info.outShape;
}

/**
 * The addon's binding for a file of native-kernel tests, or null after registering what its absence means: a failing
 * test where SAMPGEN_REQUIRE_NATIVE=1 (CI builds the addon, so a missing one is a failure), else one skipped test
 * and a note naming `what`.
 */
export function nativeBindingForTests(what: string): NativeBinding | null {
  const native = loadNative();
  if (native.ok) return native.binding;
  if (process.env.SAMPGEN_REQUIRE_NATIVE === '1') {
    it('the native addon is built (SAMPGEN_REQUIRE_NATIVE=1)', () => {
      throw new Error(`native kernels unavailable: ${native.reason}`);
    });
  } else {
    // eslint-disable-next-line no-console
    console.log(`${what} tests skipped: ${native.reason}`);
    it.skip(`${what} (addon not built)`, () => undefined);
  }
  return null;
}
