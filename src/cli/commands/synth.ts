import { Command, Option } from 'commander';
import { contextFor } from '../context';
import { UserError } from '../../errors';
import { MAX_SEED, seedOption } from '../../util/seed';
import { assertCanCreate } from '../../util/output-dir';
import { clip } from '../../util/clip';
import { DRUM_KINDS, DrumKind, SYNTH_FORMATS, SynthSummary, writeSynthSet } from '../../synth';
import type { WavEncoding } from '../../audio';

/** More files than any sample library holds: `--count 1e20` would write until the disk is full. */
const MAX_SYNTH_COUNT = 1_000_000;

/** A whole-number option with a lower bound, naming the option when the text is not one. */
function wholeNumber(option: string, min: number, max?: number): (text: string) => number {
  return (text) => {
    const t = text.trim();
    if (!/^\d+$/.test(t) || Number(t) < min || (max !== undefined && Number(t) > max)) {
      const range = max === undefined ? `≥ ${min}` : `≥ ${min} and ≤ ${max}`;
      throw new UserError(`${option}: expected a whole number ${range}, got '${clip(text)}'`);
    }
    return Number(t);
  };
}

export function register(program: Command): void {
  program
    .command('synth')
    .description(
      'Synthesize drum one-shots (no sample library needed): snare = circular-membrane modes plus band-passed ' +
        'wire noise; kick = sine with a falling pitch plus a click; hat = six square oscillators at the TR-808 ' +
        'ratios plus noise, filtered. Each file gets a random peak level (-18..-0.3 dBFS), pitch, decay, 0-150 ms of ' +
        'pre-roll (silence or a low noise floor), length (0.3-1.2 s), sample rate (22050/44100/48000/96000 Hz) and ' +
        'channel count (about 30% stereo), so that preprocessing has real work to do. Deterministic: file i ' +
        'depends only on the kind, the seed and i.',
    )
    .argument('<out>', 'folder to write <kind>-0001.wav … into (created if missing; must be empty unless --force)')
    .addOption(new Option('--kind <kind>', 'which drum to synthesize').choices(DRUM_KINDS as string[]).default('snare'))
    .option('--count <n>', `number of files to write (whole number from 1 to ${MAX_SYNTH_COUNT})`, wholeNumber('--count', 1, MAX_SYNTH_COUNT), 100)
    .option('--seed <n>', `random seed (whole number, 0 to ${MAX_SEED})`, seedOption('--seed'), 1)
    .addOption(
      new Option('--format <format>', 'WAV sample format: 32-bit float, or 16/24-bit integer PCM')
        .choices(SYNTH_FORMATS as string[])
        .default('pcm24'),
    )
    .option(
      '--force',
      'write into a non-empty folder: same-named files are overwritten and older <kind>-NNNN.wav files not in this ' +
        'set are removed; nothing else is touched (default: refuse a non-empty folder)',
    )
    .action(async (out: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const o = cmd.opts<{ kind: DrumKind; count: number; seed: number; format: WavEncoding; force?: boolean }>();
      assertCanCreate(out, 'output folder');
      const summary = await writeSynthSet({ ...o, force: o.force === true, out, progress: ctx.progress });
      if (ctx.options.json) ctx.printJson(summary);
      else ctx.print(formatSynthSummary(summary));
    });
}

export function formatSynthSummary(s: SynthSummary): string {
  const rates = Object.entries(s.sampleRates)
    .map(([rate, n]) => `${n} at ${rate} Hz`)
    .join(', ');
  const plural = s.count === 1 ? '' : 's';
  return `wrote ${s.count} ${s.kind} one-shot${plural} (${s.format} WAV, seed ${s.seed}) to ${s.out}: ${s.stereo} stereo; ${rates}`;
}
