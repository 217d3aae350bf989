import * as fs from 'fs';
import * as path from 'path';
import { encodeWav, WavEncoding } from '../audio';
import { UserError } from '../errors';
import { Progress, silentProgress } from '../progress';
import { writeFileAtomic } from '../util/atomic';
import { DRUM_KINDS, DrumKind, synthesizeSet } from './drums';

export const SYNTH_FORMATS: readonly WavEncoding[] = ['float32', 'pcm16', 'pcm24'];

export interface WriteSynthOptions {
  kind: DrumKind;
  /** Number of files, ≥ 1. */
  count: number;
  /** Integer seed in [0, 2^32 − 1]; file i depends only on (kind, seed, i). */
  seed: number;
  /** Folder to write the WAV files into (created if missing). */
  out: string;
  /** WAV sample format. */
  format: WavEncoding;
  /**
   * Write into a non-empty folder: files of the same name are overwritten and other `<kind>-NNNN.wav` files
   * (left by an earlier, longer synth run) are removed, so the folder holds exactly this set of that kind.
   * Nothing else in the folder is touched.
   */
  force: boolean;
  progress?: Progress;
}

export interface SynthSummary {
  kind: DrumKind;
  count: number;
  seed: number;
  format: WavEncoding;
  /** The output folder, absolute. */
  out: string;
  /** File names inside `out`, in order. */
  files: string[];
  /** How many files are stereo (the rest are mono). */
  stereo: number;
  /** Files per sample rate (Hz). */
  sampleRates: Record<string, number>;
}

/** Writes a synthesized set of one-shots as WAV files; the library behind `sampgen synth`. */
export async function writeSynthSet(opts: WriteSynthOptions): Promise<SynthSummary> {
  checkOptions(opts);
  const out = path.resolve(opts.out);
  const stale = prepareOutputFolder(out, opts.kind, opts.force);
  const progress = opts.progress ?? silentProgress;
  const summary: SynthSummary = {
    kind: opts.kind, count: opts.count, seed: opts.seed, format: opts.format, out, files: [], stereo: 0, sampleRates: {},
  };
  progress.start(opts.count, `synth ${opts.kind}`);
  try {
    for (const file of synthesizeSet(opts)) {
      writeFileAtomic(path.join(out, file.name), encodeWav(file.channels, file.sampleRate, opts.format));
      stale.delete(file.name);
      summary.files.push(file.name);
      if (file.channels.length > 1) summary.stereo++;
      summary.sampleRates[file.sampleRate] = (summary.sampleRates[file.sampleRate] ?? 0) + 1;
      progress.increment();
      // Let timers run between files, so that a progress bar redraws while this loop works.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    progress.stop();
  }
  for (const name of stale) fs.rmSync(path.join(out, name), { force: true });
  return summary;
}

function checkOptions(o: WriteSynthOptions): void {
  if (!DRUM_KINDS.includes(o.kind)) {
    throw new UserError(`kind: expected one of ${DRUM_KINDS.join(', ')}, got '${String(o.kind)}'`);
  }
  if (!(Number.isInteger(o.count) && o.count >= 1)) throw new UserError(`count: expected a whole number ≥ 1, got ${o.count}`);
  if (!(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) {
    throw new UserError(`seed: expected a whole number from 0 to ${0xffffffff}, got ${o.seed}`);
  }
  if (!SYNTH_FORMATS.includes(o.format)) {
    throw new UserError(`format: expected one of ${SYNTH_FORMATS.join(', ')}, got '${String(o.format)}'`);
  }
}

/**
 * Creates the folder, or checks that an existing one may be written into. Returns the names of earlier synth
 * files of this kind found there (to remove after writing, unless the new set overwrites them).
 */
function prepareOutputFolder(out: string, kind: DrumKind, force: boolean): Set<string> {
  if (!fs.existsSync(out)) {
    fs.mkdirSync(out, { recursive: true });
    return new Set();
  }
  if (!fs.statSync(out).isDirectory()) throw new UserError(`output ${out} exists and is not a folder`);
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !force) {
    throw new UserError(
      `output folder ${out} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); ` +
        `choose an empty folder or pass --force to write into it`,
    );
  }
  const ours = new RegExp(`^${kind}-\\d{4,}\\.wav$`);
  return new Set(entries.filter((e) => ours.test(e)));
}
