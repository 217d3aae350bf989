/**
 * `node dist/bench/kernels.js [--json] [--quick]`: GFLOP/s of the wasm kernels that sampgen patches, stock
 * ("before") against patched ("after"), on the shapes that training uses: the big dense autoencoder's gradient
 * matMuls (batch 32, L 17640) and the conv autoencoder's layers (d 16, batch 16, L 16384, kernel 25, stride 4).
 *
 * Every call gets freshly allocated inputs (untimed), as in training where weights and activations are new tensors
 * each step: XNNPACK caches packed weights per tensor, so reusing one input would time a cache hit instead.
 * Conv2DBackpropFilter has no stock wasm kernel; its "before" is the cpu backend's kernel, timed on a batch of 1
 * (it runs at ~0.01 GFLOP/s: a full batch would take a minute per layer; the rate does not depend on the batch).
 */
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend';
import { PatchedKernel, stockKernel } from '../backend/wasm-kernels';

interface Row {
  case: string;
  kernel: string;
  gflop: number;
  before: { label: string; gflops: number | null };
  after_gflops: number;
  speedup: number | null;
}

type Inputs = Record<string, number[]>;

/** Median milliseconds of `run` over fresh random inputs: at least `minReps` calls, more while under `budgetMs`. */
function timeKernel(
  backendName: 'wasm' | 'cpu',
  kernel: tf.KernelFunc,
  shapes: Inputs,
  attrs: tf.NamedAttrMap,
  minReps: number,
  budgetMs: number,
): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < 20)) {
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, shape] of Object.entries(shapes)) inputs[name] = tf.randomUniform(shape, -1, 1, 'float32', times.length + 1);
    const backend = tf.findBackend(backendName);
    const t0 = performance.now();
    const out = kernel({ inputs, backend, attrs });
    const t1 = performance.now();
    times.push(t1 - t0);
    for (const o of Array.isArray(out) ? out : [out]) backend.disposeData(o.dataId);
    tf.dispose(Object.values(inputs));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface Case {
  name: string;
  kernel: PatchedKernel | 'Conv2D';
  inputs: Inputs;
  attrs: tf.NamedAttrMap;
  flops: number;
}

function matMulCases(): Case[] {
  const mm = (name: string, a: number[], b: number[], transposeA: boolean, transposeB: boolean): Case => {
    const M = transposeA ? a[1] : a[0];
    const K = transposeA ? a[0] : a[1];
    const N = transposeB ? b[0] : b[1];
    return { name, kernel: 'BatchMatMul', inputs: { a, b }, attrs: { transposeA, transposeB }, flops: 2 * M * K * N };
  };
  return [
    mm('dense x·W (forward, not patched)', [32, 17640], [17640, 384], false, false),
    mm('dense dW = xᵀ·dy', [32, 17640], [32, 384], true, false),
    mm('dense dx = dy·Wᵀ', [32, 384], [17640, 384], false, true),
    mm('dense dW = hᵀ·dy (384→96)', [32, 384], [32, 96], true, false),
    mm('dense dh = dy·Wᵀ (96→384)', [32, 96], [384, 96], false, true),
  ];
}

/** The conv autoencoder's encoder layers; the decoder's transposed convs run Conv2DBackpropInput on the same shapes. */
function convCases(quick: boolean): Case[] {
  const out: Case[] = [];
  const batch = 16;
  let width = 16384;
  let cin = 1;
  const layers = quick ? 2 : 5;
  for (let i = 1; i <= layers; i++) {
    const cout = 16 * 2 ** (i - 1);
    const ow = width / 4;
    const x = [batch, 1, width, cin];
    const dy = [batch, 1, ow, cout];
    const filter = [1, 25, cin, cout];
    const flops = 2 * batch * ow * 25 * cin * cout;
    const common = { strides: [1, 4], pad: 'same', dataFormat: 'NHWC' };
    const tag = `conv L${i} [${x}]→[${dy}]`;
    out.push({ name: `${tag} forward (not patched)`, kernel: 'Conv2D', inputs: { x, filter }, attrs: { ...common, dilations: [1, 1] }, flops });
    out.push({ name: `${tag} dW`, kernel: 'Conv2DBackpropFilter', inputs: { x, dy }, attrs: { ...common, filterShape: filter }, flops });
    out.push({ name: `${tag} dx`, kernel: 'Conv2DBackpropInput', inputs: { dy, filter }, attrs: { ...common, inputShape: x }, flops });
    width = ow;
    cin = cout;
  }
  return out;
}

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  await initBackend('wasm', () => undefined);
  const rows: Row[] = [];
  for (const c of [...matMulCases(), ...convCases(quick)]) {
    const patched = tf.getKernel(c.kernel, 'wasm').kernelFunc;
    const stock = c.kernel === 'Conv2D' ? patched : stockKernel(c.kernel);
    const gflop = c.flops / 1e9;
    const after = timeKernel('wasm', patched, c.inputs, c.attrs, 3, 1000);
    let before: Row['before'];
    if (stock) {
      const ms = stock === patched ? after : timeKernel('wasm', stock, c.inputs, c.attrs, 2, 1000);
      before = { label: 'wasm stock', gflops: gflop / (ms / 1e3) };
    } else if (!quick) {
      const batch = c.inputs.x[0];
      const one = Object.fromEntries(Object.entries(c.inputs).map(([k, s]) => [k, [1, ...s.slice(1)]]));
      await tf.setBackend('cpu');
      const ms = timeKernel('cpu', tf.getKernel(c.kernel, 'cpu').kernelFunc, one, c.attrs, 1, 0);
      await tf.setBackend('wasm');
      before = { label: 'cpu, batch 1 (wasm has none)', gflops: gflop / batch / (ms / 1e3) };
    } else {
      before = { label: 'missing on wasm', gflops: null };
    }
    const afterGflops = gflop / (after / 1e3);
    rows.push({
      case: c.name,
      kernel: c.kernel,
      gflop,
      before,
      after_gflops: afterGflops,
      speedup: before.gflops ? afterGflops / before.gflops : null,
    });
    if (!json) process.stderr.write('.');
  }
  if (json) {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const f = (x: number | null) => (x === null ? '—' : x.toFixed(2));
  const lines = [
    '',
    `machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
      `wasm ${tf.version_core}, 1 thread, SIMD; GFLOP/s, median of fresh-input calls`,
    `${'case'.padEnd(52)} ${'GFLOP'.padStart(6)} ${'before'.padStart(7)} ${'after'.padStart(7)} ${'×'.padStart(6)}  before is`,
    ...rows.map(
      (r) =>
        `${r.case.padEnd(52)} ${r.gflop.toFixed(3).padStart(6)} ${f(r.before.gflops).padStart(7)} ${f(r.after_gflops).padStart(7)} ` +
        `${(r.speedup === null ? '—' : r.speedup.toFixed(1)).padStart(6)}  ${r.before.label}`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`bench:kernels failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
