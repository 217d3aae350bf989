import * as tf from '@tensorflow/tfjs';
import { backendSummary, initBackend, loadNative } from '../../src/backend';
import { isUserError } from '../../src/errors';

describe('initBackend', () => {
  it("'cpu' activates the pure-JS backend and reports one attempt", async () => {
    const logs: string[] = [];
    const choice = await initBackend('cpu', (m) => logs.push(m));
    expect(tf.getBackend()).toBe('cpu');
    expect(choice).toMatchObject({ name: 'cpu', package: '@tensorflow/tfjs-backend-cpu', version: tf.version_core, gpu: false });
    expect(choice.attempts).toEqual([{ backend: 'cpu', ok: true, reason: expect.stringContaining('pure JS') }]);
    expect(logs).toEqual([expect.stringMatching(/^backend: using cpu/)]);
    expect(backendSummary()).toMatch(/^cpu \(pure JS/);
  });

  it("'wasm' activates wasm with the kernel patches, single-threaded", async () => {
    const choice = await initBackend('wasm', () => undefined);
    expect(tf.getBackend()).toBe('wasm');
    expect(choice).toMatchObject({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', version: tf.version_core, gpu: false });
    expect(choice.attempts).toEqual([{ backend: 'wasm', ok: true, reason: expect.stringContaining('4 kernels patched') }]);
    // The native kernels are optional: the summary says which instruction set they use, or why there are none.
    const native = loadNative();
    const nativePart = native.ok ? `native kernels: ${native.reason}` : `native kernels: none (${native.reason})`;
    expect(backendSummary()).toBe(`wasm (simd, 1 thread, patched: BatchMatMul, Conv2DBackpropFilter, Conv2DBackpropInput, Identity; ${nativePart})`);
    expect(choice.attempts[0]!.reason).toContain(native.ok ? `native kernels: ${native.reason}` : `no native kernels: ${native.reason}`);
    // The backend really computes.
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });

  it('is idempotent: the same request returns the same choice and re-activates it', async () => {
    const first = await initBackend('wasm', () => undefined);
    await initBackend('cpu', () => undefined);
    expect(tf.getBackend()).toBe('cpu');
    const logs: string[] = [];
    const again = await initBackend('wasm', (m) => logs.push(m));
    expect(again).toBe(first);
    expect(tf.getBackend()).toBe('wasm');
    expect(logs).toEqual([]);
  });

  it("'auto' skips the absent node packages, says why, and picks wasm", async () => {
    const logs: string[] = [];
    const choice = await initBackend('auto', (m) => logs.push(m));
    expect(choice.name).toBe('wasm');
    expect(choice.attempts.map((a) => [a.backend, a.ok])).toEqual([
      ['tfjs-node-gpu', false],
      ['tfjs-node', false],
      ['wasm', true],
    ]);
    expect(choice.attempts[0].reason).toMatch(/^not installed/);
    expect(choice.attempts[1].reason).toMatch(/^not installed/);
    // One line: the absent optional packages are the normal case (sampgen doctor lists them).
    expect(logs).toEqual([expect.stringMatching(/^backend: using wasm \([^;]*\)$/)]);
  });

  it("'tensorflow' without either node package is a user error naming both", async () => {
    const err = await initBackend('tensorflow', () => undefined).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/tfjs-node-gpu: not installed.*tfjs-node: not installed/);
  });

  it('rejects an unknown backend name', async () => {
    const err = await initBackend('gpu' as never, () => undefined).catch((e: unknown) => e);
    expect(isUserError(err)).toBe(true);
    expect((err as Error).message).toMatch(/unknown backend 'gpu'/);
  });
});
