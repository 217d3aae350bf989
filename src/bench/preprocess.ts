/**
 * `npm run bench:preprocess -- <folder> [--jobs N] [--sample-rate HZ] [--length D] [--attack D] [--vs-study]`:
 * preprocesses a folder into a temp dataset (deleted afterwards) and prints files/s and samples/s, with the
 * machine's load so that a number measured on a busy machine is recognizable as such.
 *
 * --vs-study also runs the study's Python loop (scripts/peers/study_preprocess.py: soundfile + resampy kaiser_best,
 * needs `apt-get install -y python3-soundfile python3-resampy`; $SAMPGEN_PYTHON, default /usr/bin/python3) on the
 * same folder with the same parameters, right after, and prints the ratio of the two files/s.
 */
import { spawnSync } from 'child_process';
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
  let vsStudy = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--vs-study') vsStudy = true;
    else if (a.startsWith('--')) {
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
    if (vsStudy) {
      const study = runStudy(positional[0]!, path.join(out, 'study'), opt);
      lines.push(
        'message' in study
          ? `study:     skipped (${study.message})`
          : `study:     ${study.files} files in ${study.seconds.toFixed(2)} s, ${study.files_per_s.toFixed(1)} files/s (Python, one process: ` +
              `soundfile + resampy kaiser_best); sampgen/study ${(s.filesPerSecond / study.files_per_s).toFixed(2)}`,
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

interface StudyResult {
  files: number;
  seconds: number;
  files_per_s: number;
}

/** The study's pipeline on the same input (one folder), or why it cannot run here. */
function runStudy(input: string, output: string, opt: Record<string, string>): StudyResult | { message: string } {
  const python = process.env.SAMPGEN_PYTHON ?? '/usr/bin/python3';
  const script = path.join(__dirname, '..', '..', 'scripts', 'peers', 'study_preprocess.py');
  const args = [script, input, output, '--sample-rate', opt['sample-rate'] ?? '44100'];
  // The Python loop takes seconds; the bench passes durations given in seconds or ms, not sample counts.
  for (const key of ['attack', 'length'] as const) {
    const d = parseDuration(opt[key] ?? (key === 'attack' ? '0.1' : '0.4'), `--${key}`);
    if (!('seconds' in d)) return { message: `--${key} in samples: the study's loop takes seconds` };
    args.push(`--${key}`, String(d.seconds));
  }
  const r = spawnSync(python, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').pop() ?? '';
    return { message: `${python} ${path.basename(script)} failed: ${why} (apt-get install -y python3-soundfile python3-resampy)` };
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as StudyResult;
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`bench:preprocess: ${errorMessage(err)}\n`);
  process.exit(1);
});
