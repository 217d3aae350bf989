import { Command, Option } from 'commander';
import { contextFor } from '../context';
import { CHANNEL_MODES } from '../../preprocess/channel';
import { DURATION_SYNTAX, parseDuration } from '../../preprocess/duration';
import { datasetFoldersNote, runStep, StepChannel, StepName, StepSummary } from '../../preprocess';
import { collectExtensions, parseInteger } from './preprocess';

interface StepCliOptions {
  out: string;
  channel: StepChannel;
  sampleRate?: number;
  attack?: string;
  length?: string;
  ext?: string[];
  recursive: boolean;
  force: boolean;
}

/** `sampgen resample | peak-align | trim`: one step of the preprocess chain, for inspection and one-off jobs. */
export function register(program: Command): void {
  const common = (cmd: Command, channels: { choices: string[]; default: string; help: string }) =>
    cmd
      .argument('<inputs...>', 'audio files and/or folders to read')
      .requiredOption('--out <folder>', 'folder for the float32 WAVs (mirrors the input folders; never read as input)')
      .addOption(new Option('--channel <mode>', channels.help).choices(channels.choices).default(channels.default))
      .option('--ext <list>', 'only read files with these extensions from folders (comma-separated; default: every supported format)', collectExtensions)
      .option('--recursive', 'read folders recursively, hidden files and folders excepted (the default)', true)
      .option('--no-recursive', 'read only the files directly inside each input folder')
      .option('--force', 'overwrite existing output files', false);

  const allChannels = {
    choices: ['all', ...CHANNEL_MODES],
    default: 'all',
    help: 'all (keep every channel, each processed alike), first (first channel only) or mix (mean of channels, mono)',
  };

  common(
    program
      .command('resample')
      .description('Resample audio files to a new rate with the band-limited resampler of `preprocess`; writes float32 WAVs.')
      .requiredOption('--sample-rate <hz>', 'target sample rate in Hz', parseInteger('--sample-rate')),
    allChannels,
  ).action((inputs: string[], _o: unknown, cmd: Command) => run(cmd, 'resample', inputs));

  common(
    program
      .command('peak-align')
      .description(
        'Move the peak (first largest absolute value) of each file to the attack index, dropping samples before it ' +
          'or padding zeros at the start; the file keeps its sample rate. Writes mono float32 WAVs.',
      )
      .option('--attack <duration>', `where the peak lands, at each file's own rate; ${DURATION_SYNTAX}`, '0.1'),
    {
      choices: [...CHANNEL_MODES],
      default: 'first',
      help: 'the signal to align (output is mono): first (first channel) or mix (mean of channels)',
    },
  ).action((inputs: string[], _o: unknown, cmd: Command) => run(cmd, 'peak-align', inputs));

  common(
    program
      .command('trim')
      .description('Cut or zero-pad the end of each file to a fixed length; the file keeps its sample rate. Writes float32 WAVs.')
      .option('--length <duration>', `the length, at each file's own rate; ${DURATION_SYNTAX}`, '0.4'),
    allChannels,
  ).action((inputs: string[], _o: unknown, cmd: Command) => run(cmd, 'trim', inputs));
}

async function run(cmd: Command, step: StepName, inputs: string[]): Promise<void> {
  const ctx = contextFor(cmd);
  const o = cmd.opts<StepCliOptions>();
  const summary = await runStep({
    step,
    inputs,
    output: o.out,
    channel: o.channel,
    sampleRate: o.sampleRate,
    attack: o.attack !== undefined ? parseDuration(o.attack, '--attack') : undefined,
    length: o.length !== undefined ? parseDuration(o.length, '--length') : undefined,
    recursive: o.recursive,
    extensions: o.ext,
    force: o.force,
    progress: ctx.progress,
  });
  if (ctx.options.json) ctx.printJson(summary);
  else for (const line of formatStepSummary(summary)) ctx.print(line);
}

function formatStepSummary(s: StepSummary): string[] {
  const lines = [`${s.step}: wrote ${s.written.length} file${s.written.length === 1 ? '' : 's'} to ${s.output}`];
  if (s.skipped.length > 0) {
    lines.push(`skipped ${s.skipped.length}:`);
    for (const k of s.skipped) lines.push(`  ${k.path}: ${k.reason}`);
  }
  if (s.ignored > 0) lines.push(`passed over ${s.ignored} file${s.ignored === 1 ? '' : 's'} without a selected audio extension`);
  if (s.datasets.length > 0) lines.push(datasetFoldersNote(s.datasets));
  lines.push(`${s.seconds.toFixed(2)} s`);
  return lines;
}
