/**
 * `sampgen report`: one comparison over many run folders (from sweeps or plain `train`), written to an output
 * folder as report.md, report.csv, loss-curve PNGs per group and, when there are dense autoencoders, the study's
 * size × activation matrix of a chosen metric (matrix.png and a table in report.md). `--html` adds a page over
 * the same result (html.ts).
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
import { runLabels } from './names';
import { buildTable, checkColumns, csvTable, markdownTable, selectColumns, Table } from './table';

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
  /** Columns of report.md's table (default: all); report.csv always has all of them. */
  columns?: readonly string[];
  progress?: Progress;
}

/** One loss-curve chart: a loss of a group of runs, one series per run, named by what sets the run apart. */
export interface CurveChart {
  key: 'loss' | 'val_loss';
  title: string;
  series: LineSeries[];
  logY: boolean;
  /** The PNG written for it, relative to the report folder. */
  file: string;
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
  roots: readonly string[];
  runs: RunRecord[];
  table: Table;
  /** The loss-curve charts per group, in group order. */
  curves: { group: string; charts: CurveChart[] }[];
  groupBy: string;
  matrix: MatrixResult | null;
  matrixMetric: string;
  desc: boolean;
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
  const mdColumns = opts.columns ? checkColumns(table, opts.columns) : null;
  // Every option is checked before the first file is written: a bad value must not leave half a report behind.
  const matrixMetric = opts.matrixMetric ?? 'val_loss';
  if (!table.numeric.has(matrixMetric)) {
    throw new UserError(`--matrix-metric ${matrixMetric}: no such numeric column in this report; choose one of ${[...table.numeric].join(', ')}`);
  }
  const groupBy = opts.groupBy ?? 'model.type';
  const curves = curveCharts(runs, groupBy);
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
  for (const c of curves) for (const chart of c.charts) write(chart.file, lineChartPng(chart.series, { title: chart.title, xLabel: 'epoch', yLabel: chart.key, logY: chart.logY, legendTitle: 'run' }));
  progress.increment();
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
  write('report.md', reportMarkdown({ runs, table, columns: mdColumns, sort, desc: Boolean(opts.desc), curves, matrix, warnings, roots: opts.roots }));
  progress.increment();
  progress.stop();
  return { out: opts.out, roots: opts.roots, runs, table, curves, groupBy, matrix, matrixMetric, desc: Boolean(opts.desc), files, warnings };
}

/** The loss-curve charts per group: train loss and validation loss against epoch, one line per run. */
function curveCharts(runs: readonly RunRecord[], groupBy: string): { group: string; charts: CurveChart[] }[] {
  const known = new Set(runs.flatMap((r) => Object.keys(r.flat)));
  if (groupBy !== 'name' && !known.has(groupBy)) {
    throw new UserError(`--group-by ${groupBy}: not a config key of these runs; e.g. model.type, model.size, train.lr, name`);
  }
  const labels = runLabels(runs);
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const v = groupBy === 'name' ? r.name : r.flat[groupBy];
    const g = v === undefined || v === null ? '(none)' : String(v);
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const out: { group: string; charts: CurveChart[] }[] = [];
  for (const [group, members] of [...groups.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const charts: CurveChart[] = [];
    const ordered = [...members].sort((a, b) => labels.get(a)!.localeCompare(labels.get(b)!));
    for (const [key, label] of [['loss', 'training loss'], ['val_loss', 'validation loss']] as const) {
      const series: LineSeries[] = [];
      for (const r of ordered) {
        const points = r.log.filter((rec) => typeof rec[key] === 'number' && Number.isFinite(rec[key]));
        if (points.length > 0) series.push({ name: labels.get(r)!, x: points.map((p) => p.epoch), y: points.map((p) => p[key] as number) });
      }
      if (series.length === 0) continue;
      const logY = series.every((s) => Array.from(s.y).every((y) => y > 0));
      const safe = group.replace(/[^A-Za-z0-9._-]+/g, '_');
      charts.push({ key, title: `${label}: ${groupBy} = ${group}`, series, logY, file: `curves-${safe}-${key}.png` });
    }
    if (charts.length > 0) out.push({ group, charts });
  }
  return out;
}

/** The study's 3 × 3 table for the dense autoencoders; null when fewer than two of them have the metric (by default a loss, a metric, wall_s or samples_per_s; `value` reads any other). */
export function sizeActivationMatrix(
  runs: readonly RunRecord[],
  metric: string,
  higherIsBetter: boolean,
  value: (r: RunRecord) => unknown = (r) => r.metrics[metric] ?? r.final[metric] ?? (metric === 'wall_s' ? r.wallSeconds : metric === 'samples_per_s' ? r.samplesPerSecond : null),
): MatrixResult | null {
  const dense = runs.filter((r) => r.modelType === 'dense-ae');
  const valueOf = (r: RunRecord): number | null => {
    const v = value(r);
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
  /** The columns to show (default: all). */
  columns: string[] | null;
  sort: string;
  desc: boolean;
  curves: { group: string; charts: CurveChart[] }[];
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
    (() => {
      const shown = m.columns ? selectColumns(m.table, m.columns) : m.table;
      return markdownTable(shown.columns, shown.rows, m.table.numeric);
    })(),
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
    for (const c of m.curves) parts.push(...c.charts.map((chart) => `![${c.group}](${chart.file})`), '');
  }
  const failed = m.runs.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    parts.push('## Failed runs', '', ...failed.map((r) => `- ${r.folder}: ${(r.error ?? '').replace(/\r?\n/g, ' ')}`), '');
  }
  if (m.warnings.length > 0) parts.push('## Warnings', '', ...m.warnings.map((w) => `- ${w.replace(/\r?\n/g, ' ')}`), '');
  return parts.join('\n');
}
