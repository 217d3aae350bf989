import * as tf from '@tensorflow/tfjs';
import { adoptNodeBackend } from '../../src/backend/init';

/**
 * tfjs-node(-gpu) is not installed here, so a stand-in 'tensorflow' backend (the cpu backend's class with the two
 * fields NodeJSKernelBackend sets from its native binding) exercises what happens after require() succeeded.
 */
function registerFakeTensorflow(isUsingGpuDevice: boolean): void {
  const Cpu = tf.findBackend('cpu')!.constructor as new () => tf.KernelBackend;
  tf.registerBackend('tensorflow', () => Object.assign(new Cpu(), { isGPUPackage: true, isUsingGpuDevice }), 0);
  // The stand-in computes with the cpu kernels.
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(k.kernelName, 'tensorflow') == null) tf.registerKernel({ ...k, backendName: 'tensorflow' });
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(async () => {
  await tf.setBackend('cpu');
  if (tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
});

it('tfjs-node-gpu without a GPU device: chosen, gpu false, and a loud warning', async () => {
  registerFakeTensorflow(false);
  const logs: string[] = [];
  const r = await adoptNodeBackend('@tensorflow/tfjs-node-gpu', '4.22.0', { version: { 'tfjs-core': tf.version_core } }, (m) =>
    logs.push(m),
  );
  expect(r).toMatchObject({ ok: true, choice: { name: 'tensorflow', gpu: false, package: '@tensorflow/tfjs-node-gpu' } });
  expect(tf.getBackend()).toBe('tensorflow');
  const text = logs.join('\n');
  expect(text).toMatch(/WARNING: @tensorflow\/tfjs-node-gpu 4\.22\.0 loaded but TensorFlow registered NO GPU DEVICE/);
  expect(text).toMatch(/CUDA 11\.2.*cuDNN 8\.1/);
  expect(text).toMatch(/nvidia-smi/);
});

it('tfjs-node-gpu with a GPU device: gpu true, no warning', async () => {
  registerFakeTensorflow(true);
  const logs: string[] = [];
  const r = await adoptNodeBackend('@tensorflow/tfjs-node-gpu', '4.22.0', { version: { 'tfjs-core': tf.version_core } }, (m) =>
    logs.push(m),
  );
  expect(r).toMatchObject({ ok: true, choice: { gpu: true } });
  expect(logs).toEqual([]);
});

it('tfjs-node (CPU package) on the CPU is not a warning', async () => {
  registerFakeTensorflow(false);
  const logs: string[] = [];
  const r = await adoptNodeBackend('@tensorflow/tfjs-node', '4.22.0', {}, (m) => logs.push(m));
  expect(r).toMatchObject({ ok: true, choice: { gpu: false, package: '@tensorflow/tfjs-node' } });
  expect(logs).toEqual([]);
});

it('refuses a package built on another tfjs-core', async () => {
  registerFakeTensorflow(true);
  const r = await adoptNodeBackend('@tensorflow/tfjs-node', '4.1.0', { version: { 'tfjs-core': '4.1.0' } }, () => undefined);
  expect(r.ok).toBe(false);
  expect(r.reason).toMatch(`reports tfjs-core 4.1.0, sampgen uses ${tf.version_core}`);
  expect(tf.getBackend()).toBe('cpu');
});

it('refuses when no tensorflow backend appeared', async () => {
  const r = await adoptNodeBackend('@tensorflow/tfjs-node', '4.22.0', {}, () => undefined);
  expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("no 'tensorflow' backend appeared") });
});
