import { Command, Option } from 'commander';
import { exportRun } from '../../train/run';
import { contextFor } from '../context';

export function register(program: Command): void {
  program
    .command('export')
    .description(
      'Write the model folder (TF.js layers format + sampgen.json) of a run from its latest checkpoint. ' +
        'Training does this by itself at the end; use it for interrupted runs or runs trained with --no-export.',
    )
    .argument('<run>', 'the run folder, e.g. runs/ae-medium-tanh-1a2b3c4d')
    .addOption(new Option('--backend <name>', 'TF.js backend (default: the run config\'s train.backend)').choices(['auto', 'tensorflow', 'wasm', 'cpu']))
    .action(async (run: string, opts: { backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu' }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const dir = await exportRun(run, { backend: opts.backend, progress: ctx.progress });
      if (ctx.options.json) ctx.printJson({ run, model: dir });
      else ctx.print(`exported ${dir}`);
    });
}
