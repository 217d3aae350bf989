import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A fresh temp folder, removed by the caller (or left for the OS to clean). */
export function tempDir(prefix = 'sampgen-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Writes a dataset folder in the documented format (dataset.json + samples.f32) from rows given here, so
 * training tests do not depend on the preprocessing pipeline.
 */
export function writeTestDataset(dir: string, rows: Float32Array[], sampleRate = 8000, labels?: { classes: string[]; levels: number[] }): string {
  const length = rows[0]!.length;
  fs.mkdirSync(dir, { recursive: true });
  const all = new Float32Array(rows.length * length);
  rows.forEach((r, i) => all.set(r, i * length));
  fs.writeFileSync(path.join(dir, 'samples.f32'), Buffer.from(all.buffer));
  const info = {
    version: labels ? 2 : 1,
    ...(labels ? { labels: { source: 'name' } } : {}),
    created_by: 'test',
    sample_rate: sampleRate,
    length,
    count: rows.length,
    attack: Math.round(length / 4),
    parameters: { channel: 'first', sample_rate: sampleRate, attack: `${Math.round(length / 4)}s`, length: `${length}s`, recursive: true, extensions: null },
    files: rows.map((_, i) => ({
      path: `hit-${i}.wav`,
      output: `hit-${i}.wav`,
      sha256: '0'.repeat(64),
      sample_rate: sampleRate,
      channels: 1,
      format: 'WAV float 32-bit',
      frames: length,
      duration: length / sampleRate,
      // Format 2: the row's class and its level before processing (attack RMS; the peak 6 dB above it).
      ...(labels ? { class: labels.classes[i], attack_rms_dbfs: labels.levels[i], peak_dbfs: labels.levels[i]! + 6 } : {}),
    })),
    skipped: [],
  };
  fs.writeFileSync(path.join(dir, 'dataset.json'), JSON.stringify(info, null, 1));
  return dir;
}

/** Decaying sines of varied pitch and level: a dataset with structure an autoencoder can learn. */
export function decayingSines(count: number, length: number, seed = 1): Float32Array[] {
  const rows: Float32Array[] = [];
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  for (let i = 0; i < count; i++) {
    const f = 0.02 + 0.1 * rand();
    const a = 0.3 + 0.6 * rand();
    const d = 5 + 20 * rand();
    rows.push(Float32Array.from({ length }, (_, t) => a * Math.exp(-t / d) * Math.sin(2 * Math.PI * f * t)));
  }
  return rows;
}

/** Drum-like hits that fill a conv window of `length`: decaying sines of varied pitch, level and decay (hundreds of samples). */
export function drumHits(count: number, seed: number, length: number): Float32Array[] {
  // A local generator (not src/util/rng) so that this helper's rows never change with the library's.
  let s = seed >>> 0;
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  return Array.from({ length: count }, () => {
    const f = uniform(0.005, 0.05);
    const a = uniform(0.3, 0.9);
    const d = uniform(150, 500);
    return Float32Array.from({ length }, (_, t) => a * Math.exp(-t / d) * Math.sin(2 * Math.PI * f * t));
  });
}

/** Cycles per sample of each class of pitchedClassRows: low kicks, middle snares, high hats. */
export const CLASS_PITCH: Readonly<Record<string, number>> = { kick: 0.03, snare: 0.11, 'hat-closed': 0.3 };

/**
 * A labelled set a conditional model can learn: row i is class i mod 3 at that class's pitch, with an amplitude from
 * a spread of levels (its attack RMS in dBFS is the row's level) and the same decay for all.
 */
export function pitchedClassRows(count: number, length: number): { rows: Float32Array[]; labels: { classes: string[]; levels: number[] } } {
  const classes = Object.keys(CLASS_PITCH);
  const rows: Float32Array[] = [];
  const labels = { classes: [] as string[], levels: [] as number[] };
  for (let i = 0; i < count; i++) {
    const c = classes[i % 3]!;
    const amplitude = 0.1 + (0.8 * ((i * 7) % count)) / (count - 1);
    rows.push(Float32Array.from({ length }, (_, t) => amplitude * Math.exp(-t / 30) * Math.sin(2 * Math.PI * CLASS_PITCH[c]! * t + 0.3)));
    labels.classes.push(c);
    labels.levels.push(Math.round(2000 * Math.log10(amplitude / Math.SQRT2)) / 100);
  }
  return { rows, labels };
}
