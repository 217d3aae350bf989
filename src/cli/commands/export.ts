import { Command } from 'commander';
import { exportRun } from '../../train/run';
import { backendOption, contextFor } from '../context';
import type { BackendRequest } from '../../backend/names';

export function register(program: Command): void {
  program
    .command('export')
    .description(
      'Write the model folder (TF.js layers format + sampgen.json) of a run, <output.models>/<name>-<hash>/, from its ' +
        'best checkpoint (train.export: best, the default, when the run has one) or its latest, and point ' +
        '<output.models>/<name> at it. Training does this by itself at the end; use it for interrupted runs or runs ' +
        'trained with --no-export.',
    )
    .argument('<run>', 'the run folder, e.g. runs/ae-medium-tanh-1a2b3c4d')
    .addOption(backendOption('TF.js backend (default: the run config\'s train.backend)'))
    .option('--force', 'replace a real folder at <output.models>/<name> (an earlier export) by the link to this model')
    .action(async (run: string, opts: { backend?: BackendRequest; force?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const dir = await exportRun(run, { backend: opts.backend, progress: ctx.progress, force: opts.force });
      if (ctx.options.json) ctx.printJson({ run, model: dir });
      else ctx.print(`exported ${dir}`);
    });
}
