/**
 * `npm run bench:preprocess -- <folder> [--jobs N] [--sample-rate HZ] [--length D] [--attack D]`: preprocesses a
 * folder into a temp dataset (deleted afterwards) and prints files/s and samples/s, with the machine's load so
 * that a number measured on a busy machine is recognizable as such.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { preprocessDataset } from '../preprocess';
import { parseDuration } from '../preprocess/duration';
import { silentProgress } from '../progress';
import { errorMessage } from '../errors';

function usage(): never {
  process.stderr.write('usage: npm run bench:preprocess -- <folder> [--jobs N] [--sample-rate HZ] [--attack D] [--length D] [--channel first|mix]\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const positional: string[] = [];
  const opt: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const value = argv[++i];
      if (value === undefined) usage();
      opt[a.slice(2)] = value;
    } else positional.push(a);
  }
  if (positional.length === 0) usage();
  const jobs = opt.jobs ? Number(opt.jobs) : os.availableParallelism();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-bench-'));
  const dataset = path.join(out, 'dataset');
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  try {
    const s = await preprocessDataset({
      inputs: positional,
      output: dataset,
      sampleRate: opt['sample-rate'] ? Number(opt['sample-rate']) : 44100,
      channel: opt.channel === 'mix' ? 'mix' : 'first',
      attack: parseDuration(opt.attack ?? '0.1', '--attack'),
      length: parseDuration(opt.length ?? '0.4', '--length'),
      recursive: true,
      jobs,
      force: false,
      progress: silentProgress,
    });
    const cmd = `sampgen preprocess ${positional.join(' ')} <tmp> --jobs ${jobs}` +
      Object.entries(opt).filter(([k]) => k !== 'jobs').map(([k, v]) => ` --${k} ${v}`).join('');
    const lines = [
      `command:   ${cmd}`,
      `machine:   ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average before: ${load}, after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
      `processed: ${s.count} files (${s.skipped.length} skipped) in ${s.seconds.toFixed(2)} s, ${s.mode}${s.mode === 'threads' ? ` ×${s.jobs}` : ` (${s.modeReason})`}`,
      `files/s:   ${s.filesPerSecond.toFixed(1)}`,
      `samples/s: ${(s.samplesPerSecond / 1e6).toFixed(2)} M source samples/s (${s.sourceFrames} frames)`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench:preprocess: ${errorMessage(err)}\n`);
  process.exit(1);
});
