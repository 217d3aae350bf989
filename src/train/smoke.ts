/**
 * Smoke runs (`train --smoke`, `sweep run --smoke`): every config trains a few steps on a tiny synthetic dataset,
 * so a grid can be checked in CI (configs resolve, models build at their real sizes, the loop, checkpoint and
 * export work) before GPU hours are spent on it.
 *
 * Everything a smoke run writes lives under `<output.runs>/.smoke/` (data/, runs/, models/): the hidden folder
 * keeps smoke runs out of `sampgen report runs/` and apart from real runs, and the overrides change the config
 * hash, so a smoke run can never be mistaken for (or resumed as) a real one.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { SampgenConfig } from '../config';
import { DATASET_VERSION } from '../data/format';
import { DatasetWriter } from '../preprocess/dataset-writer';
import { randomDrumParams, synthesizeDrum } from '../synth';
import { Rng } from '../util/rng';

/** Rows in a smoke dataset: 12 for training and 4 for validation at the smoke split. */
export const SMOKE_ROWS = 16;
export const SMOKE_STEPS = 3;
export const SMOKE_BATCH = 4;
const SMOKE_VALIDATION = 0.25;
const SMOKE_SEED = 7;

/** The smoke folder of a config: `<output.runs>/.smoke`. */
export function smokeRoot(config: SampgenConfig): string {
  return path.join(config.output.runs, '.smoke');
}

/** A plausible rate for a row of `length` samples: 44.1 kHz for the study's lengths, 8 kHz for tiny test rows. */
export function smokeSampleRate(length: number): number {
  return length >= 4410 ? 44100 : 8000;
}

/**
 * The `--set` overrides that turn a config into its smoke run; append them after the user's own. They keep the
 * model (type, sizes, model.length) exactly as configured: what a smoke run checks is that model.
 */
export function smokeSets(config: SampgenConfig): string[] {
  const root = smokeRoot(config);
  const q = (p: string) => JSON.stringify(p); // a YAML double-quoted string: any path reads back unchanged
  return [
    'train.epochs=1',
    `train.max_steps=${SMOKE_STEPS}`,
    `train.batch_size=${SMOKE_BATCH}`,
    'train.checkpoint_every=1',
    'train.log_every=1',
    `data.validation=${SMOKE_VALIDATION}`,
    `data.path=${q(path.join(root, 'data', `L${config.model.length}`))}`,
    `output.runs=${q(path.join(root, 'runs'))}`,
    `output.models=${q(path.join(root, 'models'))}`,
  ];
}

/**
 * Makes (once) the smoke dataset at `dir`: SMOKE_ROWS synthesized snares, each cut to `length` samples around
 * its peak, in the dataset format. The content depends only on `length`, so workers racing to make it write the
 * same thing, and the folder appears whole (DatasetWriter builds it aside and renames it into place).
 */
export function ensureSmokeDataset(dir: string, length: number): string {
  if (fs.existsSync(path.join(dir, 'dataset.json'))) return dir;
  const sampleRate = smokeSampleRate(length);
  const attack = Math.min(Math.round(0.005 * sampleRate), Math.floor(length / 4));
  const writer = new DatasetWriter(dir, length);
  try {
    const rng = new Rng(SMOKE_SEED);
    for (let i = 0; i < SMOKE_ROWS; i++) {
      const hit = synthesizeDrum('snare', randomDrumParams('snare', rng), sampleRate);
      const row = cutAroundPeak(hit, length, attack);
      const name = `smoke-${String(i + 1).padStart(2, '0')}.wav`;
      writer.addRow(row, {
        path: name,
        output: name,
        sha256: '0'.repeat(64),
        sample_rate: sampleRate,
        channels: 1,
        format: 'synthesized (smoke)',
        frames: hit.length,
        duration: hit.length / sampleRate,
      });
    }
    if (fs.existsSync(path.join(dir, 'dataset.json'))) {
      // Another worker finished it meanwhile: keep theirs (same content) rather than swapping folders under it.
      writer.abort();
      return dir;
    }
    writer.finish({
      version: DATASET_VERSION,
      created_by: 'sampgen --smoke',
      sample_rate: sampleRate,
      length,
      attack,
      parameters: { channel: 'first', sample_rate: sampleRate, attack: `${attack}s`, length: `${length}s`, recursive: false, extensions: null },
      skipped: [],
    });
  } catch (err) {
    writer.abort();
    if (fs.existsSync(path.join(dir, 'dataset.json'))) return dir;
    throw err;
  }
  return dir;
}

/** `length` samples with the peak at `attack` (zero-padded where the hit is shorter). */
export function cutAroundPeak(hit: Float32Array, length: number, attack: number): Float32Array {
  let peak = 0;
  for (let i = 1; i < hit.length; i++) if (Math.abs(hit[i]!) > Math.abs(hit[peak]!)) peak = i;
  const out = new Float32Array(length);
  const start = peak - attack;
  for (let i = 0; i < length; i++) {
    const j = start + i;
    if (j >= 0 && j < hit.length) out[i] = hit[j]!;
  }
  return out;
}
