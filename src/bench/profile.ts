/**
 * Where a training unit's time goes (`bench:train --profile`): tf.profile records every kernel the unit runs with
 * its time, and this sums them per kernel name. sampgen's own native calls made outside any TF.js kernel (the dense
 * models' native step, the optimizer's fused Adam) are timed too, per addon function; the rest (JavaScript between
 * kernels, tensor allocation, native calls inside custom gradients) is the unit's wall time minus both sums,
 * reported as its own line so that nothing is silently left out.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeBinding } from '../backend/native';

export interface KernelTime {
  kernel: string;
  calls: number;
  ms: number;
  /** Fraction of the unit's wall time. */
  share: number;
}

export interface UnitProfile {
  wallMs: number;
  kernels: KernelTime[];
  /** The addon's functions called outside any TF.js kernel, by total time (`kernel` is `native <function>`). */
  native: KernelTime[];
  /** Wall time neither inside a TF.js kernel nor in a native call outside one. */
  outsideMs: number;
}

/** The engine's count of kernels now running (tfjs-core keeps it; not in its typings). */
function kernelDepth(): number {
  return (tf.engine() as unknown as { state: { kernelDepth: number } }).state.kernelDepth;
}

/**
 * Times every call of the addon's functions made while no TF.js kernel runs (calls inside kernels are part of
 * those kernels' times) until the returned function restores them; its result is the totals per function.
 */
function timeNativeCalls(native: NativeBinding): () => Map<string, { calls: number; ms: number }> {
  const totals = new Map<string, { calls: number; ms: number }>();
  const binding = native as unknown as Record<string, unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const [name, fn] of Object.entries(binding)) {
    if (typeof fn !== 'function' || name === 'info' || name === 'configure') continue;
    const original = fn as (...args: unknown[]) => unknown;
    originals.set(name, original);
    binding[name] = (...args: unknown[]) => {
      if (kernelDepth() > 0) return original(...args);
      const start = process.hrtime.bigint();
      try {
        return original(...args);
      } finally {
        const entry = totals.get(name) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += Number(process.hrtime.bigint() - start) / 1e6;
        totals.set(name, entry);
      }
    };
  }
  return () => {
    for (const [name, fn] of originals) binding[name] = fn;
    return totals;
  };
}

/**
 * Runs `unit` once under tf.profile; kernels by total time, largest first; with the addon's binding, also its
 * functions called outside TF.js kernels.
 */
export async function profileUnit(unit: () => void, native?: NativeBinding | null): Promise<UnitProfile> {
  const stop = native ? timeNativeCalls(native) : () => new Map<string, { calls: number; ms: number }>();
  const start = process.hrtime.bigint();
  let info: Awaited<ReturnType<typeof tf.profile>>;
  let nativeTotals: Map<string, { calls: number; ms: number }>;
  try {
    info = await tf.profile(() => {
      unit();
    });
  } finally {
    nativeTotals = stop();
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const byName = new Map<string, { calls: number; ms: number }>();
  const backend = tf.getBackend();
  for (const k of info.kernels) {
    // tf.profile also records ops built with tf.customGrad (tfjs' fusedConv2d__op, sampgen's critic ops) under
    // their scope's name, and their time includes the kernels they run, which are recorded too: counted once.
    if (tf.getKernel(k.name, backend) == null) continue;
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    entry.calls++;
    entry.ms += ms;
    byName.set(k.name, entry);
  }
  const kernels = [...byName.entries()]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, ms: e.ms, share: e.ms / wallMs }))
    .sort((a, b) => b.ms - a.ms);
  const inKernels = kernels.reduce((s, k) => s + k.ms, 0);
  const nativeCalls = [...nativeTotals.entries()]
    .map(([fn, e]) => ({ kernel: `native ${fn}`, calls: e.calls, ms: e.ms, share: e.ms / wallMs }))
    .sort((a, b) => b.ms - a.ms);
  const inNative = nativeCalls.reduce((s, k) => s + k.ms, 0);
  return { wallMs, kernels, native: nativeCalls, outsideMs: Math.max(0, wallMs - inKernels - inNative) };
}

/** A Markdown table of the `top` kernels, then the rest and the time outside kernels. */
export function formatProfile(title: string, profile: UnitProfile, top = 12): string[] {
  const pct = (ms: number) => `${((100 * ms) / profile.wallMs).toFixed(1)}%`;
  const lines = [`${title}: one unit profiled, ${profile.wallMs.toFixed(1)} ms wall (profiling adds overhead: compare shares, not totals)`, '| kernel | calls | ms | share |', '|---|---:|---:|---:|'];
  for (const k of profile.kernels.slice(0, top)) lines.push(`| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(2)} | ${pct(k.ms)} |`);
  const rest = profile.kernels.slice(top);
  if (rest.length > 0) {
    const ms = rest.reduce((s, k) => s + k.ms, 0);
    lines.push(`| ${rest.length} other kernels | ${rest.reduce((s, k) => s + k.calls, 0)} | ${ms.toFixed(2)} | ${pct(ms)} |`);
  }
  for (const k of profile.native) lines.push(`| ${k.kernel} (outside TF.js kernels) | ${k.calls} | ${k.ms.toFixed(2)} | ${pct(k.ms)} |`);
  lines.push(`| outside TF.js kernels and native calls (JS, allocation, custom gradients' native calls) | | ${profile.outsideMs.toFixed(2)} | ${pct(profile.outsideMs)} |`);
  return lines;
}
