import * as tf from '@tensorflow/tfjs';
import { formatProfile, profileUnit } from '../../src/bench/profile';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('profileUnit counts each kernel a unit runs, sums their time, and accounts for the rest of the wall time', async () => {
  const a = tf.randomNormal([64, 64], 0, 1, 'float32', 1) as tf.Tensor2D;
  const profile = await profileUnit(() => {
    tf.tidy(() => {
      let x: tf.Tensor2D = a;
      for (let i = 0; i < 3; i++) x = tf.matMul(x, a);
      tf.tanh(x).dataSync();
    });
  });
  const byName = Object.fromEntries(profile.kernels.map((k) => [k.kernel, k]));
  expect(byName.BatchMatMul?.calls).toBe(3);
  expect(byName.Tanh?.calls).toBe(1);
  // Largest first, shares of the wall time, and kernels plus the outside time make the wall time.
  profile.kernels.slice(1).forEach((k, i) => expect(k.ms).toBeLessThanOrEqual(profile.kernels[i]!.ms));
  const inKernels = profile.kernels.reduce((s, k) => s + k.ms, 0);
  expect(inKernels + profile.outsideMs).toBeCloseTo(Math.max(inKernels, profile.wallMs), 6);
  expect(profile.kernels.every((k) => k.share >= 0 && k.share <= 1)).toBe(true);
  const table = formatProfile('x', profile, 1);
  expect(table[3]).toMatch(/^\| BatchMatMul \| 3 \|/);
  expect(table.at(-2)).toMatch(/other kernels/);
  expect(table.at(-1)).toMatch(/^\| outside TF.js kernels/);
  a.dispose();
});

test('an op built with tf.customGrad is not counted beside the kernels it runs (its time is theirs)', async () => {
  const a = tf.randomNormal([32, 32], 0, 1, 'float32', 2) as tf.Tensor2D;
  const bias = tf.randomNormal([32], 0, 1, 'float32', 3);
  // tf.fused.matMul with a bias is a customGrad op around the _FusedMatMul kernel
  const profile = await profileUnit(() => {
    tf.tidy(() => tf.fused.matMul({ a, b: a, bias, activation: 'relu' }).dataSync());
  });
  const names = profile.kernels.map((k) => k.kernel);
  expect(names).toContain('_FusedMatMul');
  expect(names).not.toContain('fusedMatMul__op');
  expect(names.every((name) => tf.getKernel(name, 'cpu') != null)).toBe(true);
  tf.dispose([a, bias]);
});

test('profileUnit times the native calls made outside TF.js kernels, per function, and leaves those inside kernels to the kernels', async () => {
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const fake = { matmul: () => busy(8), adam: () => busy(4), info: () => ({}), configure: () => true };
  const original = fake.matmul;
  // a kernel of the cpu backend that calls the addon, as sampgen's patched wasm kernels do
  tf.registerKernel({
    kernelName: 'SampgenProfileTest',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      fake.matmul();
      const x = inputs.x as tf.TensorInfo;
      return (backend as unknown as { makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo }).makeTensorInfo(x.shape, 'float32', new Float32Array(tf.util.sizeFromShape(x.shape)));
    },
  });
  const x = tf.ones([2]);
  const profile = await profileUnit(() => {
    fake.matmul();
    fake.adam();
    fake.adam();
    (tf.engine().runKernel('SampgenProfileTest', { x }, {}) as tf.Tensor).dispose();
  }, fake as unknown as Parameters<typeof profileUnit>[1]);
  const native = Object.fromEntries(profile.native.map((k) => [k.kernel, k]));
  expect(native['native matmul']?.calls).toBe(1);
  expect(native['native adam']?.calls).toBe(2);
  expect(native['native matmul']!.ms).toBeGreaterThanOrEqual(7);
  expect(native['native adam']!.ms).toBeGreaterThanOrEqual(7);
  // the call inside the kernel is the kernel's time
  expect(profile.kernels.find((k) => k.kernel === 'SampgenProfileTest')?.calls).toBe(1);
  // the binding is restored
  expect(fake.matmul).toBe(original);
  const table = formatProfile('x', profile);
  expect(table.some((line) => /^\| native adam \(outside TF.js kernels\) \| 2 \|/.test(line))).toBe(true);
  x.dispose();
  tf.unregisterKernel('SampgenProfileTest', 'cpu');
});
