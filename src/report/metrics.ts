/**
 * Evaluation metrics for the report, from the metrics.json files that `sampgen evaluate --out DIR` writes:
 *   { "version": 1, "models": [ { "name", "config_hash", "run", "dataset", "split", "metrics": {…} } ] }
 * Each model entry is matched to a run: by its `run` folder when that is one of the runs, else by config hash
 * and name, else by config hash alone when exactly one run has it (a model renamed on export).
 */
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage, UserError } from '../errors';
import type { MetricCount, RunRecord } from './runs';

export { METRICS_FORMAT_VERSION as METRICS_VERSION } from '../infer/evaluate';
import { METRICS_FORMAT_VERSION as METRICS_VERSION } from '../infer/evaluate';
export const METRICS_FILE = 'metrics.json';

export interface MetricsEntry {
  name: string;
  config_hash: string;
  run: string | null;
  dataset: string | null;
  split: string | null;
  metrics: Record<string, number>;
  /** Per metric: the real and generated samples it rests on (absent in files that do not say). */
  counts: Record<string, MetricCount>;
  /** The file it came from. */
  source: string;
}

/** Reads one metrics.json; an unreadable or unknown-version file is a user error naming it. */
export function readMetricsFile(file: string): MetricsEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`cannot read metrics file ${file}: ${errorMessage(err)}`);
  }
  const doc = raw as { version?: unknown; models?: unknown };
  if (typeof raw !== 'object' || raw === null || !Array.isArray(doc.models)) {
    throw new UserError(`${file} is not a sampgen metrics file (expected {"version": ${METRICS_VERSION}, "models": [...]}, as written by sampgen evaluate --out)`);
  }
  if (doc.version === 1) {
    throw new UserError(
      `${file} was written by an earlier sampgen (metrics format 1), whose Fréchet distance, NDB and click_onset_db ` +
        'measured other things than today\'s: run `sampgen evaluate` again so that the report compares like with like',
    );
  }
  if (doc.version !== METRICS_VERSION) {
    throw new UserError(`${file}: metrics format version ${JSON.stringify(doc.version)} is not known to this sampgen (it reads version ${METRICS_VERSION})`);
  }
  return doc.models.map((m, i) => {
    const e = m as Record<string, unknown>;
    if (typeof e.name !== 'string' || typeof e.config_hash !== 'string' || typeof e.metrics !== 'object' || e.metrics === null) {
      throw new UserError(`${file}: models[${i}] needs a name, a config_hash and a metrics object`);
    }
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(e.metrics as Record<string, unknown>)) if (typeof v === 'number') metrics[k] = v;
    const counts: Record<string, MetricCount> = {};
    if (typeof e.counts === 'object' && e.counts !== null) {
      for (const [k, c] of Object.entries(e.counts as Record<string, unknown>)) {
        if (typeof c !== 'object' || c === null) continue;
        const { n_real, n_generated } = c as Record<string, unknown>;
        counts[k] = { ...(typeof n_real === 'number' ? { n_real } : {}), ...(typeof n_generated === 'number' ? { n_generated } : {}) };
      }
    }
    return {
      name: e.name,
      config_hash: e.config_hash,
      run: typeof e.run === 'string' ? e.run : null,
      dataset: typeof e.dataset === 'string' ? e.dataset : null,
      split: typeof e.split === 'string' ? e.split : null,
      metrics,
      counts,
      source: file,
    };
  });
}

/** metrics.json files named by `--metrics`: a file, or a folder searched (recursively, hidden folders skipped). */
export function metricsFilesIn(target: string): string[] {
  if (!fs.existsSync(target)) throw new UserError(`--metrics ${target}: no such file or folder`);
  if (fs.statSync(target).isFile()) return [target];
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < 6) walk(full, depth + 1);
      else if (entry.isFile() && entry.name === METRICS_FILE) out.push(full);
    }
  };
  walk(target, 0);
  return out;
}

/**
 * Attaches metrics to runs (mutating `runs[i].metrics`); returns warnings for entries that match no run and
 * for a metric given twice for one run with different datasets or splits (the later file wins).
 */
export function attachMetrics(runs: RunRecord[], entries: readonly MetricsEntry[]): string[] {
  const warnings: string[] = [];
  const byDir = new Map(runs.map((r) => [path.resolve(r.dir), r]));
  const origin = new Map<RunRecord, Map<string, string>>();
  for (const e of entries) {
    let run = e.run ? byDir.get(path.resolve(e.run)) : undefined;
    if (!run) run = runs.find((r) => r.hash === e.config_hash && r.name === e.name);
    if (!run) {
      const sameHash = runs.filter((r) => r.hash === e.config_hash);
      if (sameHash.length === 1) run = sameHash[0];
    }
    if (!run) {
      warnings.push(`metrics for ${e.name} (config ${e.config_hash}) in ${e.source} match no run in the report`);
      continue;
    }
    const where = `${e.dataset ?? '?'} (${e.split ?? '?'})`;
    const seen = origin.get(run) ?? new Map<string, string>();
    origin.set(run, seen);
    for (const [k, v] of Object.entries(e.metrics)) {
      const before = seen.get(k);
      if (before !== undefined && before !== where) warnings.push(`${run.folder}: ${k} measured on ${before} and on ${where}; the report shows the latter (${e.source})`);
      seen.set(k, where);
      run.metrics[k] = v;
      if (e.counts[k]) run.metricCounts[k] = e.counts[k]!;
      else delete run.metricCounts[k];
    }
  }
  return warnings;
}
