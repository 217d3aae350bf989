/**
 * Where a training unit's time goes (`bench:train --profile`): tf.profile records every kernel the unit runs with
 * its time, and this sums them per kernel name. Time spent outside TF.js kernels (sampgen's own native calls such
 * as the fused MSE and mr_stft losses, JavaScript between kernels, tensor allocation) is the unit's wall time minus
 * the kernels' sum, reported as its own line so that nothing is silently left out.
 */
import * as tf from '@tensorflow/tfjs';

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
  /** Wall time not inside any TF.js kernel. */
  outsideMs: number;
}

/** Runs `unit` once under tf.profile; kernels by total time, largest first. */
export async function profileUnit(unit: () => void): Promise<UnitProfile> {
  const start = process.hrtime.bigint();
  const info = await tf.profile(() => {
    unit();
  });
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
  return { wallMs, kernels, outsideMs: Math.max(0, wallMs - inKernels) };
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
  lines.push(`| outside TF.js kernels (native steps and losses, JS, allocation) | | ${profile.outsideMs.toFixed(2)} | ${pct(profile.outsideMs)} |`);
  return lines;
}
