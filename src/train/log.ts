import * as fs from 'fs';
import * as path from 'path';
import { withPath } from '../errors';
import { writeFileAtomic } from '../util/atomic';

/** One line of log.jsonl: an epoch's summary. Model-specific losses are extra keys. */
export interface EpochRecord {
  epoch: number;
  step: number;
  loss: number;
  val_loss: number | null;
  lr: number;
  wall_s: number;
  samples_per_s: number;
  [key: string]: number | null | string;
}

export function logPath(runDir: string): string {
  return path.join(runDir, 'log.jsonl');
}

export function readLog(runDir: string): EpochRecord[] {
  const file = logPath(runDir);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as EpochRecord];
      } catch {
        return []; // a line torn by a crash mid-append is dropped, not fatal
      }
    });
}

/**
 * Keeps only the epochs a checkpoint covers, so that a resumed run's log reads as if it had never stopped
 * (epochs logged after the last checkpoint are trained again and logged again).
 */
export function truncateLog(runDir: string, throughEpoch: number): void {
  const kept = readLog(runDir).filter((r) => r.epoch <= throughEpoch);
  writeFileAtomic(logPath(runDir), kept.map((r) => JSON.stringify(r) + '\n').join(''));
}

export function appendLog(runDir: string, record: EpochRecord): void {
  const file = logPath(runDir);
  try {
    fs.appendFileSync(file, JSON.stringify(record) + '\n');
  } catch (err) {
    throw withPath(err, file); // a full disk names the log, not just "write"
  }
}

/** The numbers (and nulls) of a log record, e.g. a run's final losses; {} for no record. */
export function numericFields(record: EpochRecord | undefined): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  if (record) for (const [k, v] of Object.entries(record)) if (typeof v === 'number' || v === null) out[k] = v;
  return out;
}
