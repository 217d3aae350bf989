/**
 * `sampgen report`: one comparison over many run folders (from sweeps or plain `train`), written to an output
 * folder as report.md, report.csv, loss-curve PNGs per group and, when there are dense autoencoders, the study's
 * size × activation matrix of a chosen metric (matrix.png and a table in report.md).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ACTIVATIONS, DENSE_SIZES as MODEL_SIZES } from '../models/dense';
import { errorMessage, UserError } from '../errors';
import { heatmapPng, lineChartPng, type LineSeries } from '../eval/plot';
import { Progress, silentProgress } from '../progress';
import { writeFileAtomic } from '../util/atomic';
import { attachMetrics, METRICS_FILE, metricsFilesIn, readMetricsFile, MetricsEntry } from './metrics';
import { findRunFolders, readRun, RunRecord } from './runs';
import { buildTable, csvTable, markdownTable, Table } from './table';

export interface ReportOptions {
  /** Folders of run folders (e.g. runs/), or run folders themselves. */
  roots: readonly string[];
  out: string;
  /** metrics.json files or folders to search for them. */
  metrics?: readonly string[];
  /** Column to sort by (default val_loss), ascending unless `desc`. */
  sort?: string;
  desc?: boolean;
  /** Config key that groups runs into loss-curve plots (default: model.type). */
  groupBy?: string;
  /** Metric of the size × activation matrix (default val_loss); lower is better unless `desc`. */
  matrixMetric?: string;
  progress?: Progress;
}

export interface MatrixResult {
  metric: string;
  sizes: string[];
  activations: string[];
  /** values[size][activation]; null where no run. */
  values: (number | null)[][];
  /** Runs behind each cell (more than one: the best is shown). */
  counts: number[][];
}

export interface ReportResult {
  out: string;
  runs: RunRecord[];
  table: Table;
  matrix: MatrixResult | null;
  files: string[];
  warnings: string[];
}

export function buildReport(opts: ReportOptions): ReportResult {
  const progress = opts.progress ?? silentProgress;
  const warnings: string[] = [];
  const { dirs, missing } = findRunFolders(opts.roots);
  if (missing.length > 0) throw new UserError(`no such folder: ${missing.join(', ')}`);
  if (dirs.length === 0) throw new UserError(`no run folders in ${opts.roots.join(', ')} (a run folder holds config.yaml)`);

  const runs: RunRecord[] = [];
  for (const dir of dirs) {
    try {
      runs.push(readRun(dir));
    } catch (err) {
      warnings.push(errorMessage(err));
    }
  }
  if (runs.length === 0) throw new UserError(`none of the ${dirs.length} run folders could be read:\n${warnings.join('\n')}`);

  const entries: MetricsEntry[] = [];
  for (const r of runs) {
    const own = path.join(r.dir, METRICS_FILE);
    if (fs.existsSync(own)) entries.push(...readMetricsFile(own));
  }
  for (const target of opts.metrics ?? []) for (const file of metricsFilesIn(target)) entries.push(...readMetricsFile(file));
  warnings.push(...attachMetrics(runs, entries));

  const sort = opts.sort ?? 'val_loss';
  const table = buildTable(runs, { sort, desc: opts.desc });
  fs.mkdirSync(opts.out, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: string | Uint8Array) => {
    const file = path.join(opts.out, name);
    writeFileAtomic(file, data);
    files.push(file);
    return name;
  };

  progress.start(3, 'report');
  write('report.csv', csvTable(table.columns, table.rows));
  progress.increment();
  const curves = writeCurves(runs, opts.groupBy ?? 'model.type', write);
  progress.increment();
  const matrixMetric = opts.matrixMetric ?? 'val_loss';
  if (!table.numeric.has(matrixMetric)) {
    throw new UserError(`--matrix-metric ${matrixMetric}: no such numeric column in this report; choose one of ${[...table.numeric].join(', ')}`);
  }
  const matrix = sizeActivationMatrix(runs, matrixMetric, Boolean(opts.desc));
  const denseRuns = runs.filter((r) => r.modelType === 'dense-ae').length;
  if (!matrix && denseRuns > 0) {
    warnings.push(`no size x activation matrix of ${matrixMetric}: it needs two dense autoencoder runs with a value, and ${denseRuns} dense run(s) are here`);
  }
  if (matrix) {
    write(
      'matrix.png',
      heatmapPng(matrix.values, matrix.sizes, matrix.activations, {
        title: `Dense autoencoders: ${matrix.metric}`,
        subtitle: opts.desc ? 'higher is better' : 'lower is better',
        rowTitle: 'size',
        colTitle: 'activation',
        colorLabel: matrix.metric,
        reverse: !opts.desc,
      }),
    );
  }
  write('report.md', reportMarkdown({ runs, table, sort, desc: Boolean(opts.desc), curves, matrix, warnings, roots: opts.roots }));
  progress.increment();
  progress.stop();
  return { out: opts.out, runs, table, matrix, files, warnings };
}

/** Loss-curve PNGs per group: train loss and validation loss against epoch, one line per run. */
function writeCurves(runs: readonly RunRecord[], groupBy: string, write: (name: string, data: Uint8Array) => string): { group: string; files: string[] }[] {
  const known = new Set(runs.flatMap((r) => Object.keys(r.flat)));
  if (groupBy !== 'name' && !known.has(groupBy)) {
    throw new UserError(`--group-by ${groupBy}: not a config key of these runs; e.g. model.type, model.size, train.lr, name`);
  }
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const v = groupBy === 'name' ? r.name : r.flat[groupBy];
    const g = v === undefined || v === null ? '(none)' : String(v);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const out: { group: string; files: string[] }[] = [];
  for (const [group, members] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const files: string[] = [];
    for (const [key, label] of [['loss', 'training loss'], ['val_loss', 'validation loss']] as const) {
      const series: LineSeries[] = [];
      for (const r of members) {
        const points = r.log.filter((rec) => typeof rec[key] === 'number' && Number.isFinite(rec[key]));
        if (points.length > 0) series.push({ name: r.folder, x: points.map((p) => p.epoch), y: points.map((p) => p[key] as number) });
      }
      if (series.length === 0) continue;
      const logY = series.every((s) => Array.from(s.y).every((y) => y > 0));
      const safe = group.replace(/[^A-Za-z0-9._-]+/g, '_');
      files.push(
        write(
          `curves-${safe}-${key}.png`,
          lineChartPng(series, { title: `${label}: ${groupBy} = ${group}`, xLabel: 'epoch', yLabel: key, logY, legendTitle: 'run' }),
        ),
      );
    }
    if (files.length > 0) out.push({ group, files });
  }
  return out;
}

/** The study's 3 × 3 table for the dense autoencoders; null when fewer than two of them have the metric. */
export function sizeActivationMatrix(runs: readonly RunRecord[], metric: string, higherIsBetter: boolean): MatrixResult | null {
  const dense = runs.filter((r) => r.modelType === 'dense-ae');
  const valueOf = (r: RunRecord): number | null => {
    const v = r.metrics[metric] ?? r.final[metric] ?? (metric === 'wall_s' ? r.wallSeconds : metric === 'samples_per_s' ? r.samplesPerSecond : null);
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const withValue = dense.filter((r) => valueOf(r) !== null);
  if (withValue.length < 2) return null;
  const sizes = MODEL_SIZES.filter((s) => dense.some((r) => r.flat['model.size'] === s));
  const activations = ACTIVATIONS.filter((a) => dense.some((r) => r.flat['model.activation'] === a));
  const values = sizes.map(() => activations.map((): number | null => null));
  const counts = sizes.map(() => activations.map(() => 0));
  for (const r of withValue) {
    const i = sizes.indexOf(r.flat['model.size'] as (typeof MODEL_SIZES)[number]);
    const j = activations.indexOf(r.flat['model.activation'] as (typeof ACTIVATIONS)[number]);
    const v = valueOf(r)!;
    const cur = values[i]![j]!;
    counts[i]![j]!++;
    if (cur === null || (higherIsBetter ? v > cur : v < cur)) values[i]![j] = v;
  }
  return { metric, sizes: [...sizes], activations: [...activations], values, counts };
}

interface MarkdownInput {
  runs: RunRecord[];
  table: Table;
  sort: string;
  desc: boolean;
  curves: { group: string; files: string[] }[];
  matrix: MatrixResult | null;
  warnings: string[];
  roots: readonly string[];
}

function reportMarkdown(m: MarkdownInput): string {
  const counts = new Map<string, number>();
  for (const r of m.runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts: string[] = [
    '# Training report',
    '',
    `${m.runs.length} runs from ${m.roots.join(', ')}: ${[...counts.entries()].map(([s, n]) => `${n} ${s}`).join(', ')}. ` +
      `Sorted by ${m.sort} (${m.desc ? 'descending' : 'ascending'}). loss and val_loss are the last epoch's; ` +
      'wall_s is training time in seconds. The same table is in report.csv.',
    '',
    markdownTable(m.table.columns, m.table.rows, m.table.numeric),
  ];
  if (m.matrix) {
    const mx = m.matrix;
    const many = mx.counts.some((row) => row.some((c) => c > 1));
    parts.push(
      `## Dense autoencoders: ${mx.metric} by size and activation`,
      '',
      markdownTable(
        ['size', ...mx.activations],
        mx.sizes.map((s, i) => [s, ...mx.values[i]!]),
        new Set(mx.activations),
      ),
      (many ? `Cells with several runs show the best (${m.desc ? 'highest' : 'lowest'}). ` : '') + '![matrix](matrix.png)',
      '',
    );
  }
  if (m.curves.length > 0) {
    parts.push('## Loss curves', '');
    for (const c of m.curves) parts.push(...c.files.map((f) => `![${c.group}](${f})`), '');
  }
  const failed = m.runs.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    parts.push('## Failed runs', '', ...failed.map((r) => `- ${r.folder}: ${(r.error ?? '').replace(/\r?\n/g, ' ')}`), '');
  }
  if (m.warnings.length > 0) parts.push('## Warnings', '', ...m.warnings.map((w) => `- ${w.replace(/\r?\n/g, ' ')}`), '');
  return parts.join('\n');
}
