import * as fs from 'fs';
import * as path from 'path';
import { errorMessage } from '../errors';
import { PACKAGE_ROOT } from '../version';

/**
 * sampgen's optional native kernels (native/, a Node-API addon built by scripts/build-native.js at `npm install`).
 *
 * They run on the wasm backend's own heap: every call passes the heap's ArrayBuffer and byte offsets of tensors in
 * it, so the wasm backend keeps owning all tensor memory and nothing is copied. The addon picks the widest
 * instruction set the CPU has (AVX-512, AVX2+FMA, or a portable baseline) and runs its kernels on a small thread
 * pool. When the addon is absent (no compiler at install, another platform) or disabled, sampgen runs the wasm
 * kernels alone: nothing else changes.
 */

/** The addon's functions, as native/src/addon.cc defines them. */
export interface NativeBinding {
  /**
   * C[b] = op(A[b])·op(B[b]) (+ bias, activation); params: batch, M, N, K, aOff, a_rs, a_cs, a_bs, bOff, b_rs, b_cs,
   * b_bs, cOff, c_bs, biasOff (−1: none), bias_cs, activation, alpha. Offsets in bytes, strides in elements.
   * Optionally (one plain product) pOff, mOff, vOff and Adam's 8 coefficients: the product is p's gradient and Adam
   * updates p in the call, C's contents then unspecified (−1: none); then targetOff, scale: C receives
   * (C − target)·scale and the call returns Σ (C − target)².
   */
  matmul(heap: ArrayBuffer, params: Float64Array): number | undefined;
  /** params: rows, W, Cin, Cout, FW, stride, left, OW, xOff, fOff, yOff, biasOff (−1: none), activation, alpha */
  conv1d(heap: ArrayBuffer, params: Float64Array): void;
  /** params: rows, W, Cin, Cout, FW, stride, left, OW, dyOff, fOff, dxOff */
  conv1dDx(heap: ArrayBuffer, params: Float64Array): void;
  /** params: rows, W, Cin, Cout, FW, stride, left, OW, xOff, dyOff, dfOff */
  conv1dDf(heap: ArrayBuffer, params: Float64Array): void;
  /** params: rows, cols, xOff, outOff: out[j] = Σ_i x[i·cols + j] */
  sumRows(heap: ArrayBuffer, params: Float64Array): void;
  /** params: n, pOff, gOff, mOff, vOff, β1, 1−β1, β2, 1−β2, 1−β1ᵗ, 1−β2ᵗ, ε, −lr (in place) */
  adam(heap: ArrayBuffer, params: Float64Array): void;
  /** params: n, yOff, xOff, gOff, scale: writes g = (y − x)·scale, returns Σ (y − x)² */
  mse(heap: ArrayBuffer, params: Float64Array): number;
  /**
   * The multi-resolution STFT loss (src/eval/reconstruction.ts's mrStftTerms) and its gradient in the output, in one
   * call. params: batch, length, xOff (target), yOff (output), gOff, scWeight, magWeight, powerFloor, scale, sizes,
   * then (N, hop) per size. Writes g = scale·∂/∂y Σ_b (scWeight·sc_b + magWeight·lm_b); returns [sc_0 … sc_{B−1},
   * lm_0 … lm_{B−1}].
   */
  mrStft(heap: ArrayBuffer, params: Float64Array): Float64Array;
  /** params: n, xOff, yOff, c1, c2: y = c1·x + c2·|x| (the critic's LeakyReLU, as the tfjs op chain rounds it) */
  absLeaky(heap: ArrayBuffer, params: Float64Array): void;
  /** params: n, dyOff, xOff, dxOff, c1, c2: dx = dy·c1 + (dy·c2)·step(x), step = 1 above 0, −1 at and below */
  absLeakyGrad(heap: ArrayBuffer, params: Float64Array): void;
  /**
   * params: batch, W, C, xOff, yOff, adjoint (0 | 1), then one shift per example: rows of [batch, W, C] shifted with
   * reflect padding, out[b, t] = x[b, reflect(t − shift_b)], or the adjoint of that map.
   */
  phaseShuffle(heap: ArrayBuffer, params: Float64Array): void;
  /** params: n, xOff, yOff, alpha: y = x < 0 ? α·x : x (tfjs' LeakyRelu) */
  leakyRelu(heap: ArrayBuffer, params: Float64Array): void;
  /** params: n, dyOff, xOff, dxOff, alpha: dx = x > 0 ? dy : dy·α (tfjs' LeakyRelu gradient) */
  leakyReluGrad(heap: ArrayBuffer, params: Float64Array): void;
  info(): NativeInfo;
  configure(options: { isa?: NativeIsa | 'best'; threads?: number }): boolean;
}

const BINDING_FUNCTIONS = [
  'matmul',
  'conv1d',
  'conv1dDx',
  'conv1dDf',
  'sumRows',
  'adam',
  'mse',
  'mrStft',
  'absLeaky',
  'absLeakyGrad',
  'phaseShuffle',
  'leakyRelu',
  'leakyReluGrad',
  'info',
  'configure',
] as const;
type BindingFunction = (typeof BINDING_FUNCTIONS)[number];

export type NativeIsa = 'avx512' | 'avx2' | 'base';

export interface NativeInfo {
  isa: NativeIsa;
  /** Register tile of the GEMM. */
  mr: number;
  nr: number;
  threads: number;
  cpu: { avx2: boolean; avx512: boolean };
}

export type NativeStatus = { ok: true; binding: NativeBinding; path: string; reason: string } | { ok: false; reason: string };

/** Where scripts/build-native.js leaves the addon. */
export const NATIVE_ADDON_PATH = path.join(PACKAGE_ROOT, 'native', 'build', 'Release', 'sampgen_native.node');

let status: NativeStatus | null = null;

/**
 * Loads the addon once (later calls return the first answer). SAMPGEN_NATIVE=0 (or off/false/no) turns it off;
 * SAMPGEN_NATIVE_THREADS and SAMPGEN_NATIVE_ISA (avx512|avx2|base) are read by the addon itself.
 */
export function loadNative(): NativeStatus {
  if (status) return status;
  status = attemptLoad();
  return status;
}

function attemptLoad(): NativeStatus {
  const env = (process.env.SAMPGEN_NATIVE ?? '').trim().toLowerCase();
  if (['0', 'off', 'false', 'no'].includes(env)) return { ok: false, reason: 'disabled by SAMPGEN_NATIVE' };
  if (!fs.existsSync(NATIVE_ADDON_PATH)) {
    return { ok: false, reason: 'not built (npm install builds native/ with node-gyp when a C++ compiler is available)' };
  }
  let addon: Partial<NativeBinding>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(NATIVE_ADDON_PATH) as Partial<NativeBinding>;
  } catch (err) {
    return { ok: false, reason: `built but failed to load: ${firstLine(errorMessage(err))} (rebuild with npm run build:native)` };
  }
  // A plain object of the addon's functions: its own exports are read-only, and tests wrap them to count calls.
  const binding = {} as Record<BindingFunction, unknown>;
  for (const fn of BINDING_FUNCTIONS) {
    if (typeof addon[fn] !== 'function') {
      return { ok: false, reason: `built but outdated (no ${fn}); rebuild with npm run build:native` };
    }
    binding[fn] = addon[fn];
  }
  const info = (binding as NativeBinding).info();
  return { ok: true, binding: binding as NativeBinding, path: NATIVE_ADDON_PATH, reason: describeInfo(info) };
}
/** Every instruction set the addon can run on this CPU, the portable build first. */
export function instructionSetsOf(info: NativeInfo): NativeIsa[] {
  return ['base', ...(info.cpu.avx2 ? (['avx2'] as const) : []), ...(info.cpu.avx512 ? (['avx512'] as const) : [])];
}

/** e.g. "avx512, 2 threads" or "base (no AVX2 on this CPU: portable kernels), 2 threads". */
export function describeInfo(info: NativeInfo): string {
  const isa = info.isa === 'base' && !info.cpu.avx2 ? 'base (no AVX2 on this CPU: portable kernels)' : info.isa;
  return `${isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim().length > 0) ?? s;
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
}
