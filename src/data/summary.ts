/** `sampgen dataset info`: what a dataset folder holds, from its dataset.json alone (no samples are read). */
import { classCounts, DRUM_CLASSES, DrumClass } from './labels';
import type { DatasetInfo } from './format';
import { datasetFingerprint } from './fingerprint';

export interface LevelStats {
  /** Rows the figures rest on. */
  n: number;
  min: number;
  median: number;
  max: number;
}

export interface DatasetSummary {
  version: number;
  fingerprint: string;
  count: number;
  sample_rate: number;
  length: number;
  length_seconds: number;
  attack: number;
  /** Where the classes came from; null for a version-1 dataset (no classes). */
  labels: string | null;
  classes: Record<DrumClass, number> | null;
  /** Peak and attack RMS (dBFS) of the sources before processing, overall and per class; null without levels. */
  levels: { peak_dbfs: LevelStats; attack_rms_dbfs: LevelStats; by_class: Partial<Record<DrumClass, { peak_dbfs: LevelStats }>> } | null;
  skipped: { path: string; reason: string }[];
}

function stats(values: number[]): LevelStats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, min: sorted[0]!, median: Math.round(median * 100) / 100, max: sorted.at(-1)! };
}

export function summarizeDataset(info: DatasetInfo): DatasetSummary {
  const labelled = info.files.every((f) => f.class !== undefined);
  const leveled = info.files.length > 0 && info.files.every((f) => typeof f.peak_dbfs === 'number' && typeof f.attack_rms_dbfs === 'number');
  const byClass: Partial<Record<DrumClass, { peak_dbfs: LevelStats }>> = {};
  if (leveled && labelled) {
    for (const c of DRUM_CLASSES) {
      const peaks = info.files.filter((f) => f.class === c).map((f) => f.peak_dbfs!);
      if (peaks.length > 0) byClass[c] = { peak_dbfs: stats(peaks) };
    }
  }
  return {
    version: info.version,
    fingerprint: datasetFingerprint(info),
    count: info.count,
    sample_rate: info.sample_rate,
    length: info.length,
    length_seconds: info.length / info.sample_rate,
    attack: info.attack,
    labels: info.labels?.source ?? null,
    classes: labelled ? classCounts(info.files.map((f) => f.class as DrumClass)) : null,
    levels: leveled
      ? { peak_dbfs: stats(info.files.map((f) => f.peak_dbfs!)), attack_rms_dbfs: stats(info.files.map((f) => f.attack_rms_dbfs!)), by_class: byClass }
      : null,
    skipped: info.skipped,
  };
}

/** The summary as lines for a terminal. */
export function formatDatasetSummary(dir: string, s: DatasetSummary): string[] {
  const lines = [
    `${dir}: ${s.count} rows of ${s.length} samples (${s.length_seconds.toFixed(3)} s) at ${s.sample_rate} Hz, peak at sample ${s.attack}; dataset ${s.fingerprint} (format ${s.version})`,
  ];
  if (s.classes) {
    lines.push(`classes (from ${s.labels}):`);
    for (const [c, n] of Object.entries(s.classes)) {
      if (n === 0) continue;
      const level = s.levels?.by_class[c as DrumClass]?.peak_dbfs;
      lines.push(`  ${c.padEnd(11)} ${String(n).padStart(5)}` + (level ? `   peak ${level.min} … ${level.median} … ${level.max} dBFS (min … median … max)` : ''));
    }
  } else lines.push('classes: none recorded (a dataset of format 1: preprocess it again to label it)');
  if (s.levels) {
    const { peak_dbfs: p, attack_rms_dbfs: a } = s.levels;
    lines.push(`levels before processing, over ${p.n} rows: peak ${p.min} … ${p.median} … ${p.max} dBFS; attack RMS ${a.min} … ${a.median} … ${a.max} dBFS`);
  }
  if (s.skipped.length > 0) {
    lines.push(`skipped ${s.skipped.length} file(s):`);
    for (const k of s.skipped.slice(0, 20)) lines.push(`  ${k.path}: ${k.reason}`);
    if (s.skipped.length > 20) lines.push(`  … and ${s.skipped.length - 20} more (--json lists all)`);
  }
  return lines;
}
