import * as fs from 'fs';
import * as path from 'path';
import { WavEncoding } from '../audio';
import { UserError } from '../errors';
import { contactSheetPng, spectrogramPng, waveformPng } from '../eval/plot';
import { writeFileAtomic } from '../util/atomic';
import { ensureOutputDir } from '../util/output-dir';
import { Rng } from '../util/rng';
import { Progress, silentProgress } from '../progress';
import { BoundsSpec, decodePoints, DEFAULT_BOUNDS, gridPoints, latentBoxFor, LatentBoxInfo, MAX_POINTS, OpenedModel, parseGrid, parsePoint, randomPoints, checkBounds } from './model';
import { ConditionLayout, ConditionRequest, conditionVector } from '../models/condition';
import { describeRequest } from './condition';
import { NORMALIZE_PEAK_DBFS, NORMALIZE_RMS_DBFS, NormalizeMode, writeSample, WriteReport } from './write';

export interface GenerateOptions {
  model: OpenedModel;
  /** Exactly one of: a point ("0.3,-0.5"), a count of random points, or a grid ("8x8"). */
  z?: string;
  random?: number;
  grid?: string;
  /** Seed of --random. */
  seed?: number;
  /**
   * A conditional model's class, mix and velocity (infer/condition.ts); parts left out take their defaults, except
   * that --random without a class draws `random` samples of every class.
   */
  condition?: ConditionRequest;
  /** A .wav file for --z; a folder for --random and --grid. */
  out: string;
  format: WavEncoding;
  /** Level of each written sample (write.ts NormalizeMode); true means 'peak'; default: the model's level. */
  normalize?: boolean | NormalizeMode;
  /** The box --grid spans and --random fills for models without a prior (default p1-99, model.ts). */
  bounds?: BoundsSpec;
  clamp?: boolean;
  force?: boolean;
  /** Also write a waveform and a spectrogram PNG beside each WAV (<name>.waveform.png, <name>.spectrogram.png). */
  plots?: boolean;
  warn?: (message: string) => void;
  /** Informational lines (e.g. that a percentile box fell back to the min–max bounds). */
  info?: (message: string) => void;
  progress?: Progress;
}

export interface GeneratedFile {
  file: string;
  z: number[];
  /** A conditional model's condition: class weights and velocity. */
  condition?: { mix?: Record<string, number>; velocity?: number };
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
  /** --grid, and --random of a model without a prior: the box the points span. */
  bounds?: LatentBoxInfo;
  /** pcm16/pcm24: samples above full scale that were clipped, in total and per file (files with none left out). */
  clipped: { samples: number; files: { file: string; samples: number }[] };
  /** --normalize loudness: files whose peak ceiling set the gain (quieter than the RMS target). */
  peak_limited: string[];
}

/** `sampgen generate`: decodes latent points of an exported model to WAV files. */
export async function generate(opts: GenerateOptions): Promise<GenerateSummary> {
  const modes = [opts.z !== undefined, opts.random !== undefined, opts.grid !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UserError('give exactly one of --z <point>, --random <count> or --grid <ROWSxCOLS>');
  const { meta } = opts.model;
  const progress = opts.progress ?? silentProgress;
  const base = { model: meta.name, sample_rate: meta.sample_rate, format: opts.format };
  const layout = meta.condition;
  if (!layout && opts.condition) throw new UserError(`model ${meta.name} is not conditional: it takes no class or velocity`);
  // --random of a class-conditioned model without a class: every class, `random` samples each.
  const perClass = layout?.classes && opts.random !== undefined && !opts.condition?.mix ? layout.classes : null;
  const request = opts.condition ?? {};
  if (layout && !perClass) opts.info?.(`conditioned on ${describeRequest(layout, request)}`);
  if (perClass) opts.info?.(`${opts.random} random sample(s) of each class: ${perClass.join(', ')}` + (layout!.velocity ? `; ${describeRequest({ ...layout!, classes: null }, request)}` : ''));
  const conditionOf = (r: ConditionRequest) => (layout ? { vector: conditionVector(layout, r), record: { ...(layout.classes ? { mix: normalisedMix(layout, r) } : {}), ...(layout.velocity ? { velocity: r.velocity ?? 0.5 } : {}) } } : undefined);
  const fixed = conditionOf(request);

  const written: { file: string; report: WriteReport }[] = [];
  const write = (file: string, samples: Float32Array, force?: boolean) =>
    written.push({ file, report: writeSample(file, samples, meta.sample_rate, { ...opts, force }) });

  if (opts.z !== undefined) {
    const point = parsePoint(opts.z, meta, { clamp: opts.clamp, warn: opts.warn });
    const [samples] = decodePoints(opts.model, [point], 1, fixed ? [fixed.vector] : undefined);
    write(opts.out, samples!, opts.force);
    const file: GeneratedFile = { file: opts.out, z: point, ...(fixed ? { condition: fixed.record } : {}) };
    if (opts.plots) file.plots = writePlots(opts.out, samples!, meta, point);
    return { ...base, mode: 'point', files: [file], ...levelReport(written, opts) };
  }

  if (opts.random !== undefined) {
    if (!Number.isInteger(opts.random) || opts.random < 1) throw new UserError(`--random must be a positive integer, got ${opts.random}`);
    if (opts.random > MAX_POINTS) throw new UserError(`--random ${opts.random}: at most ${MAX_POINTS} samples per call (the same cap as --grid)`);
  }
  const [rows, cols] = opts.grid !== undefined ? parseGrid(opts.grid) : [0, 0];
  // Only a grid, or uniform sampling of a model without a prior, spans the box.
  const box = opts.grid !== undefined || !meta.latent_prior ? latentBoxFor(meta, opts.bounds ?? DEFAULT_BOUNDS) : undefined;
  if (box?.fallback) opts.info?.(box.fallback);
  prepareFolder(opts.out, opts.force);
  type Planned = { point: number[]; row?: number; col?: number; name: string; condition?: ReturnType<typeof conditionOf> };
  let points: Planned[];
  let mode: 'random' | 'grid';
  if (opts.random !== undefined) {
    const count = opts.random;
    const digits = String(count - 1).length;
    const rng = new Rng(opts.seed ?? 1);
    if (perClass) {
      // One stream of latents for every class: sample k of each class shares its z, so the classes compare point by point.
      const latents = randomPoints(meta, count, rng, box);
      points = perClass.flatMap((c) => {
        const condition = conditionOf({ ...request, mix: { [c]: 1 } });
        return latents.map((p, i) => ({ point: p, name: `${c}-random-${String(i).padStart(digits, '0')}.wav`, condition }));
      });
    } else {
      points = randomPoints(meta, count, rng, box).map((p, i) => ({ point: p, name: `random-${String(i).padStart(digits, '0')}.wav`, condition: fixed }));
    }
    mode = 'random';
  } else {
    const dr = String(rows - 1).length;
    const dc = String(cols - 1).length;
    points = gridPoints(meta, rows, cols, box).map((g) => ({
      ...g,
      point: checkBounds(g.point, meta),
      name: `grid-r${String(g.row).padStart(dr, '0')}-c${String(g.col).padStart(dc, '0')}.wav`,
      condition: fixed,
    }));
    mode = 'grid';
  }
  progress.start(points.length, 'generating');
  const files: GeneratedFile[] = [];
  const decoded: Float32Array[] = [];
  const batch = 64;
  for (let start = 0; start < points.length; start += batch) {
    const chunk = points.slice(start, start + batch);
    const conditions = layout ? chunk.map((p) => p.condition!.vector) : undefined;
    const samples = decodePoints(opts.model, chunk.map((p) => p.point), batch, conditions);
    chunk.forEach((p, i) => {
      const file = path.join(opts.out, p.name);
      write(file, samples[i]!, true);
      const entry: GeneratedFile = { file, z: p.point, ...(p.row !== undefined ? { row: p.row, col: p.col } : {}), ...(p.condition ? { condition: p.condition.record } : {}) };
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
  const summary: GenerateSummary = { ...base, mode, files, points_file: pointsFile, ...(box ? { bounds: box } : {}), ...levelReport(written, opts) };
  if (mode === 'grid') {
    const sheet = path.join(opts.out, 'grid.png');
    const cells = decoded.map((samples, i) => ({ samples, label: formatPoint(files[i]!.z) }));
    const over = box!.bounds === 'minmax' ? 'the min–max latent bounds' : `the ${box!.bounds.slice(1)} percentile box of the training latents`;
    const conditioned = layout ? ` (${describeRequest(layout, request)})` : '';
    writeFileAtomic(sheet, contactSheetPng(cells, cols, { title: `${meta.name}: ${opts.grid} grid over ${over}${conditioned}` }));
    summary.contact_sheet = sheet;
  }
  return summary;
}

/** Clipping and peak-limiting of the written files, warned about once for the whole call. */
export function levelReport(
  written: { file: string; report: WriteReport }[],
  opts: { format: string; warn?: (m: string) => void; info?: (m: string) => void },
): Pick<GenerateSummary, 'clipped' | 'peak_limited'> {
  const clippedFiles = written.filter((w) => w.report.clipped > 0).map((w) => ({ file: w.file, samples: w.report.clipped }));
  const total = clippedFiles.reduce((s, f) => s + f.samples, 0);
  if (total > 0) {
    const shown = clippedFiles.slice(0, 5).map((f) => `${f.file} (${f.samples})`).join(', ');
    const more = clippedFiles.length > 5 ? ` and ${clippedFiles.length - 5} more` : '';
    opts.warn?.(
      `${total} sample(s) above full scale were clipped in ${clippedFiles.length} of ${written.length} file(s) written as ${opts.format}: ` +
        `${shown}${more}; --normalize peak (or loudness) or --format float32 keeps them`,
    );
  }
  const limited = written.filter((w) => w.report.limited).map((w) => w.file);
  if (limited.length > 0) {
    opts.info?.(
      `${limited.length} of ${written.length} file(s) would peak above ${NORMALIZE_PEAK_DBFS} dBFS at ${NORMALIZE_RMS_DBFS} dBFS RMS; ` +
        `they were scaled to peak at ${NORMALIZE_PEAK_DBFS} dBFS instead (quieter than the rest)`,
    );
  }
  return { clipped: { samples: total, files: clippedFiles }, peak_limited: limited };
}

/** The class weights of a request as the condition vector holds them (normalised, the default class filled in). */
function normalisedMix(layout: ConditionLayout, request: ConditionRequest): Record<string, number> {
  const vector = conditionVector(layout, request);
  return Object.fromEntries(layout.classes!.map((c, i) => [c, vector[i]!] as const).filter(([, w]) => w > 0));
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
  ensureOutputDir(dir, '--out'); // refuses /proc, a file in the way, an unwritable folder (mkdir -p /proc/x hangs)
}
