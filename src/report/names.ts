/**
 * Names of runs for people: the config's name and the values that set the run apart from the other runs of that
 * name (`ae-small-tanh lr=1e-4`), instead of the folder's hash. A report, its loss-curve legends and its page use
 * them; the folder stays in the table for scripts.
 */
import type { CellValue, RunRecord } from './runs';

/**
 * One label per run: the config name alone where it is the only run of that name, else the name and the keys
 * whose values differ between the runs of that name, by their last part (`train.lr` → `lr`) unless two differing
 * keys share it. Runs still alike (the same config in two run folders) get their hash.
 */
export function runLabels(runs: readonly RunRecord[]): Map<RunRecord, string> {
  const byName = new Map<string, RunRecord[]>();
  for (const r of runs) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const labels = new Map<RunRecord, string>();
  for (const [name, group] of byName) {
    if (group.length === 1) {
      labels.set(group[0]!, name);
      continue;
    }
    const keys = [...new Set(group.flatMap((r) => Object.keys(r.flat)))].filter((k) => new Set(group.map((r) => JSON.stringify(r.flat[k] ?? null))).size > 1);
    const short = shortKeys(keys);
    for (const r of group) {
      const parts = keys.map((k) => `${short.get(k)}=${formatValue(r.flat[k] ?? null)}`);
      labels.set(r, [name, ...parts].join(' '));
    }
  }
  // Same label twice: the configs are equal in every hashed key (two folders of one run), so the hash tells them apart.
  const count = new Map<string, number>();
  for (const l of labels.values()) count.set(l, (count.get(l) ?? 0) + 1);
  for (const [r, l] of labels) if (count.get(l)! > 1) labels.set(r, `${l} #${r.hash.slice(0, 8)}`);
  return labels;
}

/** `train.lr` → `lr`, unless another key also ends in `lr` (`gan.critic.lr`): then the whole key. */
function shortKeys(keys: readonly string[]): Map<string, string> {
  const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(last(k), (counts.get(last(k)) ?? 0) + 1);
  return new Map(keys.map((k) => [k, counts.get(last(k))! > 1 ? k : last(k)]));
}

/**
 * A value as a label shows it: 1e-4 rather than 0.0001, 0.01 as it is, a path by its last part, null as "none".
 * Numbers keep every significant digit they have: two runs that differ must not print alike.
 */
export function formatValue(v: CellValue): string {
  if (v === null) return 'none';
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
    const abs = Math.abs(v);
    if (abs < 1e-2 || abs >= 1e6) {
      const [mantissa, exponent] = v.toExponential().split('e');
      return `${mantissa}e${Number(exponent)}`;
    }
    return String(v);
  }
  if (typeof v === 'string' && /[\\/]/.test(v) && !v.startsWith('[')) return v.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || v;
  return String(v);
}
