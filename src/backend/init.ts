import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import '../util/quiet-tfjs'; // no TF.js notices (the cpu backend's tfjs-node advert) in sampgen's output
import { errorMessage, UserError } from '../errors';
import { describeCuda, probeCuda } from './cuda';
import { installLazyFusedMatMul } from './lazy-fused-matmul';
import { loadNative, NativeStatus } from './native';
import { activeNative, PatchedKernel, registerWasmKernelPatches } from './wasm-kernels';

import { BACKEND_REQUESTS, BackendRequest } from './names';
export { BACKEND_REQUESTS, type BackendRequest } from './names';

export interface BackendAttempt {
  /** 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu' */
  backend: string;
  ok: boolean;
  /** Why it was chosen, or why it was skipped. */
  reason: string;
}

export interface BackendChoice {
  /** The tfjs backend name now active. */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** The npm package that provides it. */
  package: string;
  version: string;
  /** True only when TensorFlow registered a GPU device. */
  gpu: boolean;
  /** Every backend tried, in order, ending with the chosen one. */
  attempts: BackendAttempt[];
}

export type Log = (msg: string) => void;

const defaultLog: Log = (msg) => void process.stderr.write(msg + '\n');

/** What initBackend chose per request, so that a second call only re-activates it. */
const chosen = new Map<BackendRequest, BackendChoice>();
/** Details for backendSummary(). */
let active: { choice: BackendChoice; detail: string } | null = null;

/**
 * Chooses, loads and activates the TF.js backend: the one place that does (see DESIGN.md, src/backend).
 *
 * auto: @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (optional dependencies that are often absent), then
 * @tensorflow/tfjs-backend-wasm (with sampgen's kernel patches), then the pure-JS cpu backend; the first that loads
 * wins and `log` says why each earlier one was skipped. 'tensorflow' accepts only the two node packages.
 * Idempotent: a second call with the same request re-activates the first call's choice.
 */
export async function initBackend(requested: BackendRequest, log: Log = defaultLog): Promise<BackendChoice> {
  if (!BACKEND_REQUESTS.includes(requested)) {
    throw new UserError(`unknown backend '${String(requested)}': expected one of ${BACKEND_REQUESTS.join(', ')}`);
  }
  const previous = chosen.get(requested);
  if (previous) {
    if (tf.engine().backendName !== previous.name) await activate(previous.name);
    active = { choice: previous, detail: detailOf(previous) };
    return previous;
  }

  const candidates = CANDIDATES.filter((c) => REQUEST_CANDIDATES[requested].includes(c.label));
  const attempts: BackendAttempt[] = [];
  for (const candidate of candidates) {
    const result = await candidate.attempt(log);
    if (!result.ok) {
      attempts.push({ backend: candidate.label, ok: false, reason: result.reason });
      continue;
    }
    attempts.push({ backend: candidate.label, ok: true, reason: result.reason });
    const choice: BackendChoice = { ...result.choice, attempts };
    log(backendLine(candidate.label, result.reason, attempts));
    chosen.set(requested, choice);
    active = { choice, detail: detailOf(choice) };
    return choice;
  }

  const why = attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ');
  if (requested === 'tensorflow') {
    throw new UserError(
      `backend 'tensorflow' needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, and neither loaded (${why}). ` +
        `Install one (npm install @tensorflow/tfjs-node@${tf.version_core}) or use --backend auto|wasm|cpu.`,
    );
  }
  throw new Error(`backend '${requested}' could not be initialized (${why})`);
}

/**
 * The one line every command logs about its backend. Optional packages that are simply not installed are the
 * normal case and go unmentioned (`sampgen doctor` lists them); one that is installed but could not be used is said
 * in the same line, since the user installed it to have it used.
 */
function backendLine(label: string, reason: string, attempts: readonly BackendAttempt[]): string {
  const failed = attempts.filter((a) => !a.ok && !a.reason.startsWith('not installed'));
  const skipped = failed.map((a) => `; skipped ${a.backend}: ${a.reason}`).join('');
  return `backend: using ${label} (${reason})${skipped}`;
}

/**
 * Tries every backend independently (not stopping at the first that works), for `sampgen doctor`.
 * Leaves the last working one active.
 */
export async function probeBackends(log: Log = () => undefined): Promise<BackendAttempt[]> {
  const out: BackendAttempt[] = [];
  let nodeLoaded: string | null = null;
  for (const candidate of CANDIDATES) {
    if (nodeLoaded && candidate.label === 'tfjs-node') {
      // Both packages register the same 'tensorflow' backend; loading the second one would replace the first.
      const installed = resolvePackageJson(`@tensorflow/${candidate.label}`) !== null;
      out.push({
        backend: candidate.label,
        ok: false,
        reason: installed ? `installed, not loaded: ${nodeLoaded} already provides the tensorflow backend` : 'not installed',
      });
      continue;
    }
    const r = await candidate.attempt(log);
    out.push({ backend: candidate.label, ok: r.ok, reason: r.reason });
    if (r.ok && r.choice.name === 'tensorflow') nodeLoaded = candidate.label;
  }
  return out;
}

/**
 * One line for logs, e.g. "wasm (simd, 1 thread, patched: BatchMatMul, Conv2DBackpropFilter, Conv2DBackpropInput;
 * native kernels: avx512, 2 threads)".
 */
export function backendSummary(): string {
  if (active === null) return 'not initialized (call initBackend first)';
  const current = tf.engine().backendName;
  if (current !== active.choice.name) return `${current} (set outside initBackend; initBackend chose ${active.choice.name})`;
  return `${active.choice.name} (${active.detail})`;
}

// ---------------------------------------------------------------------------------------------------------------

export type AttemptResult = { ok: true; reason: string; choice: Omit<BackendChoice, 'attempts'> } | { ok: false; reason: string };

interface Candidate {
  label: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  attempt(log: Log): Promise<AttemptResult>;
}

const CANDIDATES: Candidate[] = [
  { label: 'tfjs-node-gpu', attempt: (log) => attemptNode('@tensorflow/tfjs-node-gpu', log) },
  { label: 'tfjs-node', attempt: (log) => attemptNode('@tensorflow/tfjs-node', log) },
  { label: 'wasm', attempt: () => attemptWasm() },
  { label: 'cpu', attempt: () => attemptCpu() },
];

const REQUEST_CANDIDATES: Record<BackendRequest, string[]> = {
  auto: ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'],
  tensorflow: ['tfjs-node-gpu', 'tfjs-node'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

/** Extra facts per backend for backendSummary(), filled when the backend is prepared. */
const details: { wasm?: { simd: boolean; threads: number; patched: PatchedKernel[]; native: NativeStatus } } = {};

function detailOf(choice: BackendChoice): string {
  switch (choice.name) {
    case 'tensorflow':
      return `${choice.package} ${choice.version}, ${choice.gpu ? 'GPU' : 'CPU only'}`;
    case 'wasm': {
      const w = details.wasm;
      if (!w) return `${choice.package} ${choice.version}`;
      const threads = `${w.threads} thread${w.threads === 1 ? '' : 's'}`;
      return `${w.simd ? 'simd' : 'no simd'}, ${threads}, patched: ${w.patched.length ? w.patched.join(', ') : 'none'}; ${describeNative(w.native)}`;
    }
    case 'cpu':
      return `pure JS, ${choice.package} ${choice.version}`;
  }
}

function describeNative(native: NativeStatus): string {
  if (!native.ok) return `native kernels: none (${native.reason})`;
  return activeNative() ? `native kernels: ${native.reason}` : `native kernels: ${native.reason}, switched off`;
}

async function activate(name: string): Promise<boolean> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok;
}

/** The package.json of `name` as Node would resolve it from `fromDir` (default: here), or null when absent. */
function resolvePackageJson(name: string, fromDir?: string): string | null {
  try {
    return fromDir ? require.resolve(`${name}/package.json`, { paths: [fromDir] }) : require.resolve(`${name}/package.json`);
  } catch {
    return null;
  }
}

function readVersion(packageJson: string): string {
  return (JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { version?: string }).version ?? 'unknown';
}

async function attemptNode(pkg: string, log: Log): Promise<AttemptResult> {
  const pj = resolvePackageJson(pkg);
  if (pj === null) return { ok: false, reason: `not installed (${pkg} is an optional dependency)` };
  const version = readVersion(pj);
  // The node packages register their 'tensorflow' backend into the tfjs-core they import; it must be ours, or its
  // kernels would run against a different core. Check before require(), which already registers and activates it.
  const corePj = resolvePackageJson('@tensorflow/tfjs-core', path.dirname(pj));
  const theirCore = corePj ? readVersion(corePj) : 'none';
  if (theirCore !== tf.version_core) {
    return {
      ok: false,
      reason:
        `installed (${version}) but it resolves @tensorflow/tfjs-core ${theirCore} while sampgen uses ${tf.version_core}; ` +
        `install ${pkg}@${tf.version_core} so that one tfjs-core is loaded`,
    };
  }
  let loaded: { version?: Record<string, string> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(pkg) as typeof loaded;
  } catch (err) {
    return { ok: false, reason: `installed (${version}) but failed to load: ${firstLine(errorMessage(err))}` };
  }
  return adoptNodeBackend(pkg, version, loaded, log);
}

/**
 * After require(pkg) succeeded: check it runs on sampgen's tfjs-core, activate its 'tensorflow' backend and find out
 * whether TensorFlow registered a GPU. Exported for tests (which stand in a fake backend for the native one).
 */
export async function adoptNodeBackend(
  pkg: string,
  version: string,
  loaded: { version?: Record<string, string> },
  log: Log,
): Promise<AttemptResult> {
  const loadedCore = loaded.version?.['tfjs-core'];
  if (loadedCore !== undefined && loadedCore !== tf.version_core) {
    return { ok: false, reason: `loaded ${pkg} ${version} reports tfjs-core ${loadedCore}, sampgen uses ${tf.version_core}` };
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return { ok: false, reason: `loaded ${pkg} ${version} but no 'tensorflow' backend appeared in sampgen's tfjs-core` };
  }
  if (!(await activate('tensorflow'))) {
    return { ok: false, reason: `installed (${version}) but its 'tensorflow' backend failed to initialize` };
  }
  // NodeJSKernelBackend keeps what its binding reported at start-up: whether the TFE context has a GPU device.
  const be = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
  const gpu = be.isUsingGpuDevice === true;
  if (pkg.endsWith('-gpu') && !gpu) warnNoGpu(pkg, version, log);
  return {
    ok: true,
    reason: `${pkg} ${version} loaded, ${gpu ? 'TensorFlow registered a GPU device' : 'running on the CPU'}`,
    choice: { name: 'tensorflow', package: pkg, version, gpu },
  };
}

/** tfjs-node-gpu falls back to the CPU without a word when CUDA/cuDNN are missing; make that impossible to miss. */
function warnNoGpu(pkg: string, version: string, log: Log): void {
  const bar = '!'.repeat(100);
  const lines = [
    bar,
    `WARNING: ${pkg} ${version} loaded but TensorFlow registered NO GPU DEVICE: everything will run on the CPU.`,
    'tfjs-node-gpu 4.x needs an NVIDIA driver, CUDA 11.2 (libcudart.so.11.0) and cuDNN 8.1 (libcudnn.so.8) on the',
    'library path (LD_LIBRARY_PATH). What this machine shows:',
    ...describeCuda(probeCuda()).map((l) => `  ${l}`),
    'Run `sampgen doctor` for details, or choose --backend wasm to make the CPU choice explicit.',
    bar,
  ];
  for (const l of lines) log(l);
}

async function attemptWasm(): Promise<AttemptResult> {
  const pkg = '@tensorflow/tfjs-backend-wasm';
  const pj = resolvePackageJson(pkg);
  if (pj === null) return { ok: false, reason: 'not installed' };
  const version = readVersion(pj);
  if (version !== tf.version_core) {
    return { ok: false, reason: `installed (${version}) but sampgen's tfjs-core is ${tf.version_core}: the versions must match` };
  }
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    // Loaded lazily: importing it registers the backend, which code that never asks for wasm should not pay for.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    wasm = require(pkg) as typeof wasm;
  } catch (err) {
    return { ok: false, reason: `installed (${version}) but failed to load: ${firstLine(errorMessage(err))}` };
  }
  try {
    prepareWasm(wasm, path.dirname(pj));
    const native = loadNative();
    const patched = registerWasmKernelPatches(native.ok ? native.binding : null);
    installLazyFusedMatMul();
    if (!(await activate('wasm'))) return { ok: false, reason: `installed (${version}) but failed to initialize` };
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    details.wasm = { simd, threads: wasm.getThreadsCount(), patched, native };
    return {
      ok: true,
      reason:
        `${pkg} ${version}, ${simd ? 'SIMD' : 'no SIMD'}, single-threaded, ${patched.length} kernels patched, ` +
        (native.ok ? `native kernels: ${native.reason}` : `no native kernels: ${native.reason}`),
      choice: { name: 'wasm', package: pkg, version, gpu: false },
    };
  } catch (err) {
    return { ok: false, reason: `installed (${version}) but failed to initialize: ${firstLine(errorMessage(err))}` };
  }
}

let wasmPrepared = false;

/**
 * Before the wasm backend first initializes: load the .wasm binaries from the package's dist/ folder (a file path
 * prefix; without usePlatformFetch, Emscripten reads it with fs in Node) and force the single-threaded SIMD build.
 * The threaded build starts its workers from a blob: URL, which Node rejects (ERR_WORKER_PATH); 4.22 already reports
 * no thread support under Node, and setting the flag keeps it so if that detection changes.
 */
function prepareWasm(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), packageDir: string): void {
  if (wasmPrepared) return;
  const dist = path.join(packageDir, 'dist') + path.sep;
  if (!fs.existsSync(path.join(dist, 'tfjs-backend-wasm-simd.wasm'))) {
    throw new Error(`the wasm binaries are missing from ${dist}`);
  }
  wasm.setWasmPaths(dist);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasmPrepared = true;
}

async function attemptCpu(): Promise<AttemptResult> {
  const pkg = '@tensorflow/tfjs-backend-cpu';
  const version = tf.version['tfjs-backend-cpu'] ?? 'unknown';
  if (!(await activate('cpu'))) return { ok: false, reason: 'failed to initialize' };
  // The cpu backend greets its first tensor in Node with an advert for tfjs-node; our log already says why cpu was
  // chosen (and that it is slow), so the greeting would only be noise in the middle of a progress bar.
  const be = tf.backend() as unknown as { firstUse?: boolean };
  if (typeof be.firstUse === 'boolean') be.firstUse = false;
  return { ok: true, reason: `${pkg} ${version}, pure JS (slow)`, choice: { name: 'cpu', package: pkg, version, gpu: false } };
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim().length > 0) ?? s;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}
