import * as os from 'os';
import { DEFAULT_LABEL_TABLE, LabelRule, readLabelCsv, readLabelRules, LabelSource } from '../../data/labels';
import { Command, Option } from 'commander';
import { contextFor } from '../context';
import { UserError } from '../../errors';
import { clip } from '../../util/clip';
import { CHANNEL_MODES, ChannelMode } from '../../preprocess/channel';
import { DURATION_SYNTAX, parseDuration } from '../../preprocess/duration';
import { datasetFoldersNote, preprocessDataset, PreprocessSummary } from '../../preprocess';
import { AUDIO_EXTENSIONS } from '../../audio';

/** Parses a whole number option, naming the option when it is not one. */
export function parseInteger(what: string): (text: string) => number {
  return (text) => {
    if (!/^\s*\d+\s*$/.test(text)) throw new UserError(`${what}: expected a whole number, got '${clip(text)}'`);
    return Number(text);
  };
}

/** `--ext wav,flac` (may be repeated). */
export function collectExtensions(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...text.split(',')];
}

export function register(program: Command): void {
  program
    .command('preprocess')
    .description(
      'Turn raw one-shots into a training dataset: for each file, pick a channel, resample, move the peak to the ' +
        'attack index, then cut or zero-pad to a fixed length. Writes one float32 WAV per file (mirroring the input ' +
        'folders) plus dataset.json and samples.f32 (count × length little-endian float32). Unusable files are ' +
        'skipped and listed with their reason.',
    )
    // commander allows only the last argument to be variadic, so inputs and output arrive as one list.
    .argument('<inputs-and-output...>', 'audio files and/or folders to read, then (last) the dataset folder to create')
    .usage('[options] <inputs...> <output>')
    .option('--sample-rate <hz>', 'target sample rate in Hz', parseInteger('--sample-rate'), 44100)
    .addOption(
      new Option('--channel <mode>', 'which channel to keep: first (the first channel) or mix (mean of all channels)')
        .choices([...CHANNEL_MODES])
        .default('first'),
    )
    .option('--attack <duration>', `where the peak lands; ${DURATION_SYNTAX}`, '0.1')
    .option('--length <duration>', `length of every sample; ${DURATION_SYNTAX}`, '0.4')
    .option('--ext <list>', `only read files with these extensions from folders (comma-separated, e.g. wav,flac,mp3; default: every supported format: ${AUDIO_EXTENSIONS.map((e) => e.slice(1)).join(', ')})`, collectExtensions)
    .option('--recursive', 'read folders recursively, hidden files and folders excepted (the default)', true)
    .option('--no-recursive', 'read only the files directly inside each input folder')
    .addOption(
      new Option('--jobs <n>', 'worker threads; the result is identical whatever the number (1 = no worker threads)')
        .argParser(parseInteger('--jobs'))
        .default(os.availableParallelism(), `number of cores, here ${os.availableParallelism()}`),
    )
    .option('--force', 'replace an existing dataset folder (only a dataset folder or an empty one)', false)
    .option(
      '--labels <source>',
      'where each row\'s drum class comes from: auto (its folders where they name a class, e.g. kick/…, else its file name), ' +
        'folder, name, none, or a CSV file of path,class lines (paths as dataset.json lists them)',
      'auto',
    )
    .option(
      '--label-rules <file>',
      'a YAML list of your own name rules, tried before the built-in table, e.g. "- {class: perc, words: [shaker, tamb]}" ' +
        '(classes: kick, snare, hat-closed, hat-open, tom, clap, cymbal, perc; `also`: words that must appear too); recorded in dataset.json',
    )
    .addHelpText(
      'after',
      '\nFolders are read in sorted path order; hidden files and folders, and the output folder itself, are never ' +
        'read.\nThe dataset is built in a hidden temp folder next to <output> and moved into place when complete ' +
        '(dataset.json\nis written last). Examples:\n' +
        '  sampgen preprocess ~/samples/snares datasets/snares\n' +
        '  sampgen preprocess kicks/ toms/ datasets/conv --length 16384s --attack 0.05 --sample-rate 44100',
    )
    .action(async (paths: string[], _opts: unknown, cmd: Command) => {
      if (paths.length < 2) {
        throw new UserError('preprocess needs at least one input (file or folder) and then the output folder');
      }
      const args = paths.slice(0, -1);
      const output = paths[paths.length - 1]!;
      const ctx = contextFor(cmd);
      const o = cmd.opts<{
        sampleRate: number;
        channel: ChannelMode;
        attack: string;
        length: string;
        ext?: string[];
        recursive: boolean;
        jobs: number;
        force: boolean;
        labels: string;
        labelRules?: string;
      }>();
      const labelRules = o.labelRules !== undefined ? { file: o.labelRules, rules: readLabelRules(o.labelRules) } : undefined;
      const summary = await preprocessDataset({
        inputs: args,
        output,
        sampleRate: o.sampleRate,
        channel: o.channel,
        attack: parseDuration(o.attack, '--attack'),
        length: parseDuration(o.length, '--length'),
        recursive: o.recursive,
        extensions: o.ext,
        jobs: o.jobs,
        force: o.force,
        progress: ctx.progress,
        labels: parseLabelSource(o.labels, labelRules?.rules),
        labelRules,
      });
      if (ctx.options.json) ctx.printJson(summary);
      else for (const line of formatSummary(summary)) ctx.print(line);
    });
}

export function formatSummary(s: PreprocessSummary): string[] {
  const lines = [
    `processed ${s.count} of ${s.found} audio files → ${s.output} ` +
      `(${s.length} samples at ${s.sampleRate} Hz, peak at sample ${s.attack})`,
  ];
  if (s.skipped.length > 0) {
    lines.push(`skipped ${s.skipped.length}:`);
    for (const k of s.skipped) lines.push(`  ${k.path}: ${k.reason}`);
  }
  if (s.warned.length > 0) {
    lines.push(`kept ${s.warned.length} with a decoder warning (also in dataset.json):`);
    for (const w of s.warned.slice(0, 20)) lines.push(`  ${w.path}: ${w.warnings.join('; ')}`);
    if (s.warned.length > 20) lines.push(`  … and ${s.warned.length - 20} more`);
  }
  if (s.ignored > 0) lines.push(`passed over ${s.ignored} file${s.ignored === 1 ? '' : 's'} without a selected audio extension`);
  if (s.datasets.length > 0) lines.push(datasetFoldersNote(s.datasets));
  lines.push(`wrote ${s.datasetJson}, ${s.samplesFile} and ${s.count} WAV file${s.count === 1 ? '' : 's'}`);
  const how = s.mode === 'threads' ? `${s.jobs} worker threads` : `in-process (${s.modeReason ?? 'one job'})`;
  lines.push(
    `${s.seconds.toFixed(2)} s, ${s.filesPerSecond.toFixed(1)} files/s, ` +
      `${(s.samplesPerSecond / 1e6).toFixed(2)} M source samples/s, ${how}`,
  );
  return lines;
}

/** --labels: one of the kinds, else a CSV file (read and checked now, before any audio). */
export function parseLabelSource(text: string, rules: readonly LabelRule[] = []): LabelSource {
  if (text === 'auto' || text === 'folder' || text === 'name' || text === 'none') return { kind: text };
  return readLabelCsv(text, [...rules, ...DEFAULT_LABEL_TABLE]);
}
