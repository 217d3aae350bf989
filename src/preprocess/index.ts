/**
 * The preprocessing library: `preprocessDataset` (raw files → dataset folder) and `runStep` (one step of the
 * chain on files or folders). The CLI only parses options and calls these; so can quickstart and tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isUserError, UserError } from '../errors';
import { Progress } from '../progress';
import { VERSION } from '../version';
import { writeFileAtomic } from '../util/atomic';
import { assertCanCreate } from '../util/output-dir';
import { encodeWav } from '../audio';
import { DATASET_JSON, DATASET_VERSION, DatasetInfo, SAMPLES_FILE } from '../data/format';
import { classOf, DEFAULT_LABEL_TABLE, LabelRule, LabelSource } from '../data/labels';
import { ChannelMode, selectChannel, checkSamples } from './channel';
import { resample } from './resample';
import { peakAlign } from './peak-align';
import { trimToLength } from './trim';
import { boundedSamples, Duration, formatDuration } from './duration';
import { discoverInputs, normalizeExtensions, Discovery } from './files';
import { DatasetWriter, checkOutputFolder } from './dataset-writer';
import { FileJob, PipelineParams, decodeOrReason } from './pipeline';
import { planPool, runOrdered } from './pool';

export { preprocessSignal, processFile } from './pipeline';
export type { PipelineParams } from './pipeline';
export { discoverInputs, normalizeExtensions, assignOutputNames } from './files';
export type { InputFile } from './files';

export interface PreprocessOptions {
  /** Files and/or folders. */
  inputs: string[];
  /** Dataset folder to create (replaced only with `force`). */
  output: string;
  /** Target rate, Hz. */
  sampleRate: number;
  channel: ChannelMode;
  /** Where the peak lands (rounded to whole samples at the target rate). */
  attack: Duration;
  /** Samples per row (rounded to whole samples at the target rate). */
  length: Duration;
  recursive: boolean;
  /** Extensions to read from folders (no dot); default: every supported format. */
  extensions?: string[];
  /** Worker threads; 1 processes in this thread. */
  jobs: number;
  force: boolean;
  progress: Progress;
  /** Where each row's drum class comes from (default auto: its folders where they name a class, else its name). */
  labels?: LabelSource;
  /** Rules tried before the default label table (`--label-rules`), and the file they came from. */
  labelRules?: { file: string; rules: LabelRule[] };
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface PreprocessSummary {
  output: string;
  datasetJson: string;
  samplesFile: string;
  /** Rows written (usable files). */
  count: number;
  /** Audio files found. */
  found: number;
  skipped: SkippedFile[];
  /** Rows whose decoder found something odd but not fatal (also in dataset.json, per file). */
  warned: { path: string; warnings: string[] }[];
  /** Files in the folders passed over because of their extension. */
  ignored: number;
  /** Dataset folders (holding dataset.json) inside the input folders, passed over: earlier preprocess outputs. */
  datasets: string[];
  sampleRate: number;
  length: number;
  attack: number;
  jobs: number;
  /** 'threads' or 'in-process', and why in-process when it is. */
  mode: 'threads' | 'in-process';
  modeReason?: string;
  seconds: number;
  filesPerSecond: number;
  /** Source frames decoded per second (a measure of audio throughput independent of file lengths). */
  samplesPerSecond: number;
  sourceFrames: number;
}

/** Checks a target sample rate given by the user. */
export function checkSampleRate(rate: number, what = '--sample-rate'): number {
  if (!Number.isInteger(rate) || rate < 1000 || rate > 768000) {
    throw new UserError(`${what} must be a whole number of Hz between 1000 and 768000, got ${rate}`);
  }
  return rate;
}

/**
 * Turns the inputs into a dataset folder: each usable file goes through channel → resample → peak-align →
 * trim, in sorted path order, on `jobs` worker threads, with rows streamed to samples.f32 in that order. The
 * result is byte-identical whatever `jobs` is. Bad files are skipped with a reason; no usable file at all is
 * a UserError, as is a missing/empty input or an existing output without `force`.
 */
export async function preprocessDataset(opts: PreprocessOptions): Promise<PreprocessSummary> {
  const started = process.hrtime.bigint();
  const sampleRate = checkSampleRate(opts.sampleRate);
  const lengthSamples = boundedSamples(opts.length, sampleRate, '--length');
  const attackSamples = boundedSamples(opts.attack, sampleRate, '--attack');
  if (!(lengthSamples >= 1)) throw new UserError(`--length ${formatDuration(opts.length)} is shorter than one sample at ${sampleRate} Hz`);
  if (!(attackSamples >= 0 && attackSamples < lengthSamples)) {
    throw new UserError(
      `--attack ${formatDuration(opts.attack)} (${attackSamples} samples) must lie inside --length ` +
        `${formatDuration(opts.length)} (${lengthSamples} samples), or the peak would be cut off`,
    );
  }
  if (!Number.isInteger(opts.jobs) || opts.jobs < 1) throw new UserError(`--jobs must be a positive integer, got ${opts.jobs}`);
  const extensions = normalizeExtensions(opts.extensions);

  const discovery = discoverInputs({ inputs: opts.inputs, output: opts.output, recursive: opts.recursive, extensions });
  checkOutputFolder(opts.output, opts.force, opts.inputs);
  if (discovery.files.length === 0) throw new UserError(noFilesMessage(opts.inputs, discovery, extensions));

  const params: PipelineParams = { sampleRate, channel: opts.channel, attackSamples, lengthSamples };
  const plan = planPool(opts.jobs, discovery.files.length);
  const writer = new DatasetWriter(opts.output, lengthSamples);
  const labels: LabelSource = opts.labels ?? { kind: 'auto' };
  const labelTable = opts.labelRules ? [...opts.labelRules.rules, ...DEFAULT_LABEL_TABLE] : DEFAULT_LABEL_TABLE;
  const skipped: SkippedFile[] = discovery.unreadable.map((u) => ({ path: u.relPath, reason: u.reason }));
  let sourceFrames = 0;
  const warned: { path: string; warnings: string[] }[] = [];
  const progress = opts.progress;
  try {
    const jobs: FileJob[] = discovery.files.map((f, index) => ({
      index,
      absPath: f.absPath,
      wavPath: writer.wavPath(f.outputRel),
      params,
    }));
    progress.start(jobs.length, 'preprocess', { skipped: 0 });
    await runOrdered(jobs, plan, (result) => {
      const file = discovery.files[result.index]!;
      if (result.ok) {
        const s = result.source;
        writer.addRow(result.row, {
          path: file.relPath,
          output: file.outputRel,
          sha256: s.sha256,
          sample_rate: s.sampleRate,
          channels: s.channels,
          format: s.format,
          frames: s.frames,
          duration: s.frames / s.sampleRate,
          class: classOf(file.relPath, labels, labelTable),
          peak_dbfs: s.levels.peakDbfs,
          attack_rms_dbfs: s.levels.attackRmsDbfs,
          ...(s.warnings ? { warnings: s.warnings } : {}),
        });
        if (s.warnings) warned.push({ path: file.relPath, warnings: s.warnings });
        sourceFrames += s.frames;
      } else {
        skipped.push({ path: file.relPath, reason: result.reason });
      }
      progress.increment(1, { skipped: skipped.length });
    });
    progress.stop();
    if (writer.count === 0) {
      throw new UserError(
        `no usable audio file: all ${discovery.files.length} found were skipped:\n` +
          skipped.slice(0, 20).map((s) => `  ${s.path}: ${s.reason}`).join('\n') +
          (skipped.length > 20 ? `\n  … and ${skipped.length - 20} more` : ''),
      );
    }
    skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const info: Omit<DatasetInfo, 'files' | 'count'> = {
      version: DATASET_VERSION,
      created_by: `sampgen ${VERSION}`,
      sample_rate: sampleRate,
      length: lengthSamples,
      attack: attackSamples,
      parameters: {
        channel: opts.channel,
        sample_rate: sampleRate,
        attack: formatDuration(opts.attack),
        length: formatDuration(opts.length),
        recursive: opts.recursive,
        extensions: extensions ?? null,
      },
      labels: { source: labels.kind === 'csv' ? labels.file : labels.kind, ...(opts.labelRules ? { rules: opts.labelRules.rules } : {}) },
      skipped,
    };
    writer.finish(info);
  } catch (err) {
    progress.stop();
    writer.abort();
    throw err;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    output: opts.output,
    datasetJson: path.join(opts.output, DATASET_JSON),
    samplesFile: path.join(opts.output, SAMPLES_FILE),
    count: writer.count,
    found: discovery.files.length,
    skipped,
    warned,
    ignored: discovery.ignored,
    datasets: discovery.datasets,
    sampleRate,
    length: lengthSamples,
    attack: attackSamples,
    jobs: plan.workers,
    mode: plan.mode,
    ...(plan.reason ? { modeReason: plan.reason } : {}),
    seconds,
    filesPerSecond: discovery.files.length / seconds,
    samplesPerSecond: sourceFrames / seconds,
    sourceFrames,
  };
}

function noFilesMessage(inputs: string[], d: Discovery, extensions: string[] | undefined): string {
  const where = inputs.length === 1 ? inputs[0] : `the inputs (${inputs.join(', ')})`;
  const what = extensions ? `with extension ${extensions.join('/')}` : 'in a supported format';
  const extra = d.ignored > 0 ? ` (${d.ignored} other file${d.ignored === 1 ? '' : 's'} passed over)` : '';
  const unreadable = d.unreadable.length > 0 ? `; unreadable: ${d.unreadable.map((u) => u.relPath).join(', ')}` : '';
  const datasets = d.datasets.length > 0 ? `; ${datasetFoldersNote(d.datasets)}` : '';
  return `no audio file ${what} found in ${where}${extra}${unreadable}${datasets}`;
}

/** "passed over the sampgen dataset folder ds (…)": said whenever discovery passed over dataset folders. */
export function datasetFoldersNote(datasets: readonly string[]): string {
  const which = datasets.length === 1 ? `the sampgen dataset folder ${datasets[0]}` : `${datasets.length} sampgen dataset folders (${datasets.join(', ')})`;
  return `passed over ${which} inside the inputs (earlier output; name a dataset folder as an input to read its WAVs)`;
}

/* ------------------------------------------------------------------------------------------------------------ */
/* Single steps: `sampgen resample | peak-align | trim`.                                                       */

export type StepName = 'resample' | 'peak-align' | 'trim';
/** `all` processes every channel alike (resample, trim); peak-align needs one signal to find the peak in. */
export type StepChannel = ChannelMode | 'all';

export interface StepOptions {
  step: StepName;
  inputs: string[];
  /** Folder for the float32 WAVs (mirrors the inputs' folders). */
  output: string;
  channel: StepChannel;
  /** resample: target rate (Hz). */
  sampleRate?: number;
  /** peak-align: where the peak lands (in samples at each file's own rate). */
  attack?: Duration;
  /** trim: the length (in samples at each file's own rate). */
  length?: Duration;
  recursive: boolean;
  extensions?: string[];
  force: boolean;
  progress: Progress;
}

export interface StepSummary {
  step: StepName;
  output: string;
  written: { path: string; output: string; sample_rate: number; channels: number; frames: number }[];
  skipped: SkippedFile[];
  ignored: number;
  /** Dataset folders inside the input folders, passed over (see PreprocessSummary.datasets). */
  datasets: string[];
  seconds: number;
}

/**
 * Runs one step of the chain on each input and writes float32 WAVs (one per input, mirroring folders). Runs
 * in this thread: these are inspection tools, not the bulk path. Existing output files need `force`.
 */
export async function runStep(opts: StepOptions): Promise<StepSummary> {
  const started = process.hrtime.bigint();
  if (opts.step === 'peak-align' && opts.channel === 'all') {
    throw new UserError('peak-align needs one signal to find the peak in: use --channel first or --channel mix');
  }
  if (opts.step === 'resample') checkSampleRate(opts.sampleRate ?? NaN);
  if (opts.step === 'peak-align' && !opts.attack) throw new UserError('peak-align needs --attack');
  if (opts.step === 'trim' && !opts.length) throw new UserError('trim needs --length');
  const extensions = normalizeExtensions(opts.extensions);
  const discovery = discoverInputs({ inputs: opts.inputs, output: opts.output, recursive: opts.recursive, extensions });
  if (discovery.files.length === 0) throw new UserError(noFilesMessage(opts.inputs, discovery, extensions));
  const outDir = path.resolve(opts.output);
  assertCanCreate(opts.output, '--out');
  if (!opts.force) {
    const existing = discovery.files.find((f) => fs.existsSync(path.join(outDir, ...f.outputRel.split('/'))));
    if (existing) {
      throw new UserError(`${path.join(opts.output, existing.outputRel)} already exists; pass --force to overwrite`);
    }
  }

  const written: StepSummary['written'] = [];
  const skipped: SkippedFile[] = discovery.unreadable.map((u) => ({ path: u.relPath, reason: u.reason }));
  opts.progress.start(discovery.files.length, opts.step);
  try {
    for (const file of discovery.files) {
      let bytes: Uint8Array | undefined;
      let reason: string | undefined;
      try {
        bytes = fs.readFileSync(file.absPath);
      } catch (err) {
        reason = `unreadable: ${(err as Error).message}`;
      }
      const decoded = bytes ? await decodeOrReason(bytes) : { reason: reason! };
      const result = 'reason' in decoded ? decoded : applyStep(opts, decoded.channels, decoded.sampleRate);
      if ('reason' in result) {
        skipped.push({ path: file.relPath, reason: result.reason });
      } else {
        writeFileAtomic(path.join(outDir, ...file.outputRel.split('/')), encodeWav(result.channels, result.sampleRate, 'float32'));
        written.push({
          path: file.relPath,
          output: file.outputRel,
          sample_rate: result.sampleRate,
          channels: result.channels.length,
          frames: result.channels[0]!.length,
        });
      }
      opts.progress.increment(1);
    }
  } finally {
    opts.progress.stop();
  }
  if (written.length === 0) {
    throw new UserError(
      `no usable audio file: all ${discovery.files.length} found were skipped:\n` +
        skipped.slice(0, 20).map((s) => `  ${s.path}: ${s.reason}`).join('\n'),
    );
  }
  return {
    step: opts.step,
    output: opts.output,
    written,
    skipped,
    ignored: discovery.ignored,
    datasets: discovery.datasets,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

function applyStep(
  opts: StepOptions,
  channels: Float32Array[],
  rate: number,
): { channels: Float32Array[]; sampleRate: number } | { reason: string } {
  // For `all`, the check runs on the sum of the channels' magnitudes: NaN/Inf anywhere still shows, and the file
  // counts as silent only when every channel is (a hard-panned one-shot is fine; a mix would wrongly call an
  // anti-phase pair silent).
  const bad = checkSamples(opts.channel === 'all' ? sumOfMagnitudes(channels) : selectChannel(channels, opts.channel));
  if (bad !== null) return { reason: bad };
  const signals = opts.channel === 'all' ? channels : [selectChannel(channels, opts.channel)];
  switch (opts.step) {
    case 'resample': {
      const to = opts.sampleRate!;
      return { channels: signals.map((x) => resample(x, rate, to)), sampleRate: to };
    }
    case 'peak-align': {
      // Durations count at each file's own rate, so one too long at this file's rate is this file's skip reason.
      const attack = samplesOrReason(opts.attack!, rate, '--attack');
      if (typeof attack !== 'number') return attack;
      return { channels: [peakAlign(signals[0]!, attack)], sampleRate: rate };
    }
    case 'trim': {
      const n = samplesOrReason(opts.length!, rate, '--length');
      if (typeof n !== 'number') return n;
      if (n < 1) return { reason: `--length ${formatDuration(opts.length!)} is shorter than one sample at ${rate} Hz` };
      return { channels: signals.map((x) => trimToLength(x, n)), sampleRate: rate };
    }
  }
}

function samplesOrReason(d: Duration, rate: number, what: string): number | { reason: string } {
  try {
    return boundedSamples(d, rate, what);
  } catch (err) {
    if (isUserError(err)) return { reason: err.message };
    throw err;
  }
}

function sumOfMagnitudes(channels: Float32Array[]): Float32Array {
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const c of channels) for (let i = 0; i < out.length; i++) out[i] = out[i]! + Math.abs(c[i]!);
  return out;
}
