/**
 * The comparison table: one row per run. Columns: run (the folder), name (what sets the run apart, names.ts), model
 * type, the config keys that vary (the axes), status, epochs, final train and validation loss, the best validation
 * loss and its epoch, evaluation metrics, wall time, samples/s, backend, config hash.
 *
 * Axis columns are the keys that differ between runs of the same model type (or between all runs when there is
 * one type): a GAN's learning rate differing from an autoencoder's is a property of the model column, and
 * showing every such key would bury the keys that were actually swept.
 */
import { UserError } from '../errors';
import { runLabels } from './names';
import type { CellValue, RunRecord } from './runs';

export interface Table {
  columns: string[];
  /** Numeric columns (sortable). */
  numeric: Set<string>;
  rows: CellValue[][];
  /** The runs in row order. */
  runs: RunRecord[];
  /** The axis columns (config keys that vary) and the metric columns, in column order. */
  axes: string[];
  metrics: string[];
}

export function axisKeys(runs: readonly RunRecord[]): string[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) groups.set(r.modelType, [...(groups.get(r.modelType) ?? []), r]);
  const scopes = groups.size > 1 ? [...groups.values()] : [runs];
  const keys: string[] = [];
  const allKeys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.flat)) if (!allKeys.includes(k)) allKeys.push(k);
  for (const key of allKeys) {
    if (key === 'model.type') continue;
    const varies = scopes.some((scope) => new Set(scope.map((r) => JSON.stringify(r.flat[key] ?? null))).size > 1);
    if (varies) keys.push(key);
  }
  return keys;
}

export function metricKeys(runs: readonly RunRecord[]): string[] {
  const keys: string[] = [];
  for (const r of runs) for (const k of Object.keys(r.metrics)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

/** Builds the table sorted by `sort` (ascending unless `desc`); runs without a value sort last. */
export function buildTable(runs: readonly RunRecord[], opts: { sort: string; desc?: boolean }): Table {
  const axes = axisKeys(runs);
  const metrics = metricKeys(runs).filter((k) => !['loss', 'val_loss'].includes(k));
  const labels = runLabels(runs);
  const columns = ['run', 'name', 'model', ...axes, 'status', 'epochs', 'loss', 'val_loss', 'best_val_loss', 'best_epoch', ...metrics, 'wall_s', 'samples_per_s', 'backend', 'hash'];
  // A sweep axis whose values are all numbers (train.lr, model.latent) sorts as numbers: as text, 0.1 came before 0.001.
  const numericAxes = axes.filter((k) => runs.every((r) => !(k in r.flat) || r.flat[k] === null || typeof r.flat[k] === 'number'));
  const numeric = new Set(['epochs', 'loss', 'val_loss', 'best_val_loss', 'best_epoch', ...numericAxes, ...metrics, 'wall_s', 'samples_per_s']);
  const rowOf = (r: RunRecord): CellValue[] => [
    r.folder,
    labels.get(r)!,
    r.modelType,
    ...axes.map((k) => (k in r.flat ? r.flat[k]! : null)),
    r.status,
    r.epochs,
    r.final.loss ?? null,
    r.final.val_loss ?? null,
    r.best?.val_loss ?? null,
    r.best?.epoch ?? null,
    ...metrics.map((k) => r.metrics[k] ?? null),
    r.wallSeconds,
    r.samplesPerSecond,
    r.backend,
    r.hash,
  ];
  const col = columns.indexOf(opts.sort);
  if (col < 0 || !(numeric.has(opts.sort) || axes.includes(opts.sort) || ['run', 'name', 'model', 'status', 'backend'].includes(opts.sort))) {
    const sortable = columns.filter((c) => c !== 'hash');
    throw new UserError(`--sort ${opts.sort}: no such column in this report; choose one of ${sortable.join(', ')}`);
  }
  const sign = opts.desc ? -1 : 1;
  const entries = runs.map((r) => ({ r, row: rowOf(r) }));
  entries.sort((a, b) => {
    const va = a.row[col]!;
    const vb = b.row[col]!;
    const missA = va === null || (typeof va === 'number' && !Number.isFinite(va));
    const missB = vb === null || (typeof vb === 'number' && !Number.isFinite(vb));
    if (missA || missB) return missA === missB ? a.r.folder.localeCompare(b.r.folder) : missA ? 1 : -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.r.folder.localeCompare(b.r.folder);
  });
  return { columns, numeric, rows: entries.map((e) => e.row), runs: entries.map((e) => e.r), axes, metrics };
}

/**
 * The evaluation metrics a reader looks at first (src/infer/evaluate.ts HEADLINE_METRICS, the few that rank models):
 * reconstruction error, smoothness of the latent plane, generation quality and, for conditional models, whether
 * the requested class comes out.
 */
export const KEY_METRICS = ['recon_mse', 'recon_mr_stft', 'smoothness', 'gen_frechet', 'gen_ndb_fraction', 'class_gen_accuracy'] as const;

/**
 * The columns a page shows unless told otherwise: the run's name, model, what the sweep varied, epochs, best and
 * last validation loss, and the key metrics present (else the first four metrics there are).
 */
export function defaultColumns(table: Table): string[] {
  const key = table.metrics.filter((m) => (KEY_METRICS as readonly string[]).includes(m));
  return ['name', 'model', ...table.axes, 'epochs', 'best_val_loss', 'val_loss', ...(key.length > 0 ? key : table.metrics.slice(0, 4))];
}

/** `--columns a,b,c` checked against the table: an unknown name is a UserError that lists the known ones. */
export function checkColumns(table: Table, wanted: readonly string[]): string[] {
  const unknown = wanted.filter((c) => !table.columns.includes(c));
  if (unknown.length > 0) {
    throw new UserError(`--columns: no column ${unknown.map((c) => JSON.stringify(c)).join(', ')} in this report; the columns are ${table.columns.join(', ')}`);
  }
  if (wanted.length === 0) throw new UserError(`--columns: name at least one column; the columns are ${table.columns.join(', ')}`);
  return [...new Set(wanted)];
}

/** The table cut to `columns`, in that order. */
export function selectColumns(table: Table, columns: readonly string[]): { columns: string[]; rows: CellValue[][] } {
  const index = columns.map((c) => table.columns.indexOf(c));
  return { columns: [...columns], rows: table.rows.map((row) => index.map((i) => row[i]!)) };
}

/** Four significant digits for reading; integers as they are. */
export function formatCell(v: CellValue): string {
  if (v === null) return '-';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    const abs = Math.abs(v);
    return abs !== 0 && (abs < 1e-3 || abs >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  return String(v);
}

function escapeMd(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function markdownTable(header: readonly string[], rows: readonly CellValue[][], numeric: ReadonlySet<string> = new Set()): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(header.map(escapeMd)),
    line(header.map((h) => (numeric.has(h) ? '---:' : '---'))),
    ...rows.map((r) => line(r.map((v) => escapeMd(formatCell(v))))),
  ].join('\n') + '\n';
}

/** RFC 4180 CSV with full-precision numbers (for spreadsheets and scripts); empty cells where there is no value. */
export function csvTable(header: readonly string[], rows: readonly CellValue[][]): string {
  const cell = (v: CellValue): string => {
    if (v === null) return '';
    const s = String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header.map((h) => cell(h)), ...rows.map((r) => r.map(cell))].map((r) => r.join(',')).join('\r\n') + '\r\n';
}
