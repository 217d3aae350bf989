import * as fs from 'fs';
import * as path from 'path';
import { WavEncoding } from '../audio';
import { UserError } from '../errors';
import { contactSheetPng, spectrogramPng, waveformPng } from '../eval/plot';
import { writeFileAtomic } from '../util/atomic';
import { Rng } from '../util/rng';
import { Progress, silentProgress } from '../progress';
import { decodePoints, gridPoints, OpenedModel, parseGrid, parsePoint, randomPoints, checkBounds } from './model';
import { writeSample } from './write';

export interface GenerateOptions {
  model: OpenedModel;
  /** Exactly one of: a point ("0.3,-0.5"), a count of random points, or a grid ("8x8"). */
  z?: string;
  random?: number;
  grid?: string;
  /** Seed of --random. */
  seed?: number;
  /** A .wav file for --z; a folder for --random and --grid. */
  out: string;
  format: WavEncoding;
  normalize?: boolean;
  clamp?: boolean;
  force?: boolean;
  /** Also write a waveform and a spectrogram PNG beside each WAV (<name>.waveform.png, <name>.spectrogram.png). */
  plots?: boolean;
  warn?: (message: string) => void;
  progress?: Progress;
}

export interface GeneratedFile {
  file: string;
  z: number[];
  row?: number;
  col?: number;
  /** With `plots`: the waveform and spectrogram PNGs. */
  plots?: string[];
}

export interface GenerateSummary {
  model: string;
  mode: 'point' | 'random' | 'grid';
  sample_rate: number;
  format: WavEncoding;
  files: GeneratedFile[];
  contact_sheet?: string;
  points_file?: string;
}

/** `sampgen generate`: decodes latent points of an exported model to WAV files. */
export async function generate(opts: GenerateOptions): Promise<GenerateSummary> {
  const modes = [opts.z !== undefined, opts.random !== undefined, opts.grid !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UserError('give exactly one of --z <point>, --random <count> or --grid <ROWSxCOLS>');
  const { meta } = opts.model;
  const progress = opts.progress ?? silentProgress;
  const base = { model: meta.name, sample_rate: meta.sample_rate, format: opts.format };

  if (opts.z !== undefined) {
    const point = parsePoint(opts.z, meta, { clamp: opts.clamp, warn: opts.warn });
    const [samples] = decodePoints(opts.model, [point]);
    writeSample(opts.out, samples!, meta.sample_rate, opts);
    const file: GeneratedFile = { file: opts.out, z: point };
    if (opts.plots) file.plots = writePlots(opts.out, samples!, meta, point);
    return { ...base, mode: 'point', files: [file] };
  }

  prepareFolder(opts.out, opts.force);
  let points: { point: number[]; row?: number; col?: number; name: string }[];
  let mode: 'random' | 'grid';
  let cols = 0;
  if (opts.random !== undefined) {
    if (!Number.isInteger(opts.random) || opts.random < 1) throw new UserError(`--random must be a positive integer, got ${opts.random}`);
    const digits = String(opts.random - 1).length;
    points = randomPoints(meta, opts.random, new Rng(opts.seed ?? 1)).map((p, i) => ({ point: p, name: `random-${String(i).padStart(digits, '0')}.wav` }));
    mode = 'random';
  } else {
    const [rows, c] = parseGrid(opts.grid!);
    cols = c;
    const dr = String(rows - 1).length;
    const dc = String(cols - 1).length;
    points = gridPoints(meta, rows, cols).map((g) => ({
      ...g,
      point: checkBounds(g.point, meta),
      name: `grid-r${String(g.row).padStart(dr, '0')}-c${String(g.col).padStart(dc, '0')}.wav`,
    }));
    mode = 'grid';
  }
  progress.start(points.length, 'generating');
  const files: GeneratedFile[] = [];
  const decoded: Float32Array[] = [];
  const batch = 64;
  for (let start = 0; start < points.length; start += batch) {
    const chunk = points.slice(start, start + batch);
    const samples = decodePoints(opts.model, chunk.map((p) => p.point), batch);
    chunk.forEach((p, i) => {
      const file = path.join(opts.out, p.name);
      writeSample(file, samples[i]!, meta.sample_rate, { ...opts, force: true });
      const entry: GeneratedFile = { file, z: p.point, ...(p.row !== undefined ? { row: p.row, col: p.col } : {}) };
      if (opts.plots) entry.plots = writePlots(file, samples[i]!, meta, p.point);
      files.push(entry);
      if (mode === 'grid') decoded.push(samples[i]!);
    });
    progress.increment(chunk.length);
  }
  progress.stop();
  const pointsFile = path.join(opts.out, 'points.json');
  const relative = (f: GeneratedFile) => ({ ...f, file: path.basename(f.file), ...(f.plots ? { plots: f.plots.map((p) => path.basename(p)) } : {}) });
  writeFileAtomic(pointsFile, JSON.stringify({ model: meta.name, mode, files: files.map(relative) }, null, 1));
  const summary: GenerateSummary = { ...base, mode, files, points_file: pointsFile };
  if (mode === 'grid') {
    const sheet = path.join(opts.out, 'grid.png');
    const cells = decoded.map((samples, i) => ({ samples, label: formatPoint(files[i]!.z) }));
    writeFileAtomic(sheet, contactSheetPng(cells, cols, { title: `${meta.name}: ${opts.grid} grid over the latent bounds` }));
    summary.contact_sheet = sheet;
  }
  return summary;
}

function formatPoint(z: number[]): string {
  return z.map((v) => v.toFixed(2)).join(', ');
}

/** <file>.waveform.png and <file>.spectrogram.png beside a written WAV, titled with its point; returns their paths. */
function writePlots(wavFile: string, samples: Float32Array, meta: OpenedModel['meta'], z: number[]): string[] {
  const { sample_rate: sampleRate } = meta;
  const title = `${meta.name} at z = (${formatPoint(z)})`;
  const stem = wavFile.replace(/\.wav$/i, '');
  const waveform = `${stem}.waveform.png`;
  const spectrogram = `${stem}.spectrogram.png`;
  writeFileAtomic(waveform, waveformPng(samples, sampleRate, { title, subtitle: path.basename(wavFile) }));
  writeFileAtomic(spectrogram, spectrogramPng(samples, sampleRate, { title, subtitle: path.basename(wavFile) }));
  return [waveform, spectrogram];
}

/** An output folder for many files: created if missing; one with files in it is only reused with --force. */
function prepareFolder(dir: string, force?: boolean): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new UserError(`--out ${dir} is a file; --random and --grid write a folder`);
    if (!force && fs.readdirSync(dir).length > 0) throw new UserError(`--out ${dir} is not empty; use --force to write into it`);
  }
  fs.mkdirSync(dir, { recursive: true });
}
