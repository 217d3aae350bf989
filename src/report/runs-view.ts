/**
 * `sampgen runs`: what a researcher asks of their runs folder every day. Which runs are there, how far did each
 * get, which dataset, how good; and what one run's resolved config is, or how two runs differ.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';
import { findRunFolders, flatten, readRun, RunRecord, CellValue } from './runs';

export interface RunRow {
  folder: string;
  name: string;
  hash: string;
  model: string;
  status: string;
  epochs: number | null;
  target_epochs: number;
  best_val_loss: number | null;
  best_epoch: number | null;
  last_val_loss: number | null;
  stopped_early: number | null;
  dataset: string | null;
  wall_s: number | null;
  dir: string;
}

/** The runs under `roots`, one row each; runs whose config does not load are returned apart, with the reason. */
export function listRuns(roots: readonly string[]): { rows: RunRow[]; unreadable: { dir: string; error: string }[]; missing: string[] } {
  const { dirs, missing } = findRunFolders(roots);
  const rows: RunRow[] = [];
  const unreadable: { dir: string; error: string }[] = [];
  for (const dir of dirs) {
    let run: RunRecord;
    try {
      run = readRun(dir);
    } catch (err) {
      unreadable.push({ dir, error: (err as Error).message });
      continue;
    }
    rows.push({
      folder: run.folder,
      name: run.name,
      hash: run.hash,
      model: run.modelType,
      status: run.status,
      epochs: run.epochs,
      target_epochs: run.loaded.config.train.epochs,
      best_val_loss: run.best?.val_loss ?? null,
      best_epoch: run.best?.epoch ?? null,
      last_val_loss: run.final.val_loss ?? null,
      stopped_early: run.stoppedEarly,
      dataset: run.dataset,
      wall_s: run.wallSeconds,
      dir,
    });
  }
  return { rows, unreadable, missing };
}

/** A plain text table of rows (columns padded, numbers to 4 significant digits). */
export function formatRunTable(rows: RunRow[]): string {
  const header = ['run', 'model', 'status', 'epochs', 'best val (epoch)', 'last val', 'dataset', 'wall'];
  const lines = rows.map((r) => [
    r.folder,
    r.model,
    r.status + (r.stopped_early !== null ? ' (early stop)' : ''),
    `${r.epochs ?? '-'}/${r.target_epochs}`,
    r.best_val_loss === null ? '-' : `${num(r.best_val_loss)} (${r.best_epoch})`,
    r.last_val_loss === null ? '-' : num(r.last_val_loss),
    r.dataset ?? '-',
    r.wall_s === null ? '-' : duration(r.wall_s),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((cells) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** One run: its folder's facts and its resolved config (config.yaml as written). */
export function showRun(dir: string): { row: RunRow; configYaml: string } {
  if (!fs.existsSync(path.join(dir, 'config.yaml'))) throw new UserError(`${dir} is not a run folder (it has no config.yaml)`);
  const { rows, unreadable } = listRuns([dir]);
  if (unreadable.length > 0) throw new UserError(unreadable[0]!.error);
  return { row: rows[0]!, configYaml: fs.readFileSync(path.join(dir, 'config.yaml'), 'utf8') };
}

export interface ConfigDifference {
  key: string;
  a: CellValue | undefined;
  b: CellValue | undefined;
  /** Whether the key is part of the run's identity (its hash): a difference there is a different experiment. */
  hashed: boolean;
}

/** Every resolved config key whose value differs between two runs, hashed keys first. */
export function diffRuns(a: string, b: string): ConfigDifference[] {
  const ra = readRunOrExplain(a);
  const rb = readRunOrExplain(b);
  const fa = flatten(ra.loaded.config as unknown as Record<string, unknown>);
  const fb = flatten(rb.loaded.config as unknown as Record<string, unknown>);
  const hashed = new Set([...Object.keys(ra.flat), ...Object.keys(rb.flat)]);
  const keys = [...new Set([...Object.keys(fa), ...Object.keys(fb)])].sort();
  return keys
    .filter((k) => fa[k] !== fb[k])
    .map((k) => ({ key: k, a: fa[k], b: fb[k], hashed: hashed.has(k) }))
    .sort((x, y) => Number(y.hashed) - Number(x.hashed));
}

function readRunOrExplain(dir: string): RunRecord {
  if (!fs.existsSync(path.join(dir, 'config.yaml'))) throw new UserError(`${dir} is not a run folder (it has no config.yaml)`);
  try {
    return readRun(dir);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

function num(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}

function duration(s: number): string {
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  return `${s.toFixed(1)} s`;
}
