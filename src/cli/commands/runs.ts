import * as path from 'path';
import { Command } from 'commander';
import { diffRuns, formatRunTable, listRuns, showRun } from '../../report/runs-view';
import { UserError } from '../../errors';
import { contextFor } from '../context';

export function register(program: Command): void {
  const runs = program
    .command('runs')
    .description('List training runs (status, epochs, best and last validation loss, dataset, wall time), show one, or diff two.');
  runs
    .command('list', { isDefault: true })
    .description('One line per run folder under the given folders (default runs/): hidden folders such as .smoke are skipped.')
    .argument('[folders...]', 'folders of run folders, or run folders', ['runs'])
    .action((folders: string[], _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const { rows, unreadable, missing } = listRuns(folders);
      if (missing.length === folders.length) throw new UserError(`no such folder: ${missing.join(', ')}`);
      for (const m of missing) ctx.warn(`no such folder: ${m}`);
      for (const u of unreadable) ctx.warn(u.error);
      if (ctx.options.json) return ctx.printJson({ runs: rows, unreadable });
      if (rows.length === 0 && unreadable.length === 0) return ctx.print(`no run folders under ${folders.join(', ')}`);
      if (rows.length > 0) ctx.print(formatRunTable(rows));
      // A run that cannot be read is still a run the user has: listed, with why (the warning above has the detail).
      for (const u of unreadable) ctx.print(`${path.basename(u.dir)}  (cannot be read: see the warning above)`);
    });
  runs
    .command('show')
    .description('One run: its status and figures, and its resolved config (every key, defaults included); with --diff, only the keys that differ from another run.')
    .argument('<run>', 'a run folder, e.g. runs/ae-medium-tanh-1a2b3c4d')
    .option('--diff <other>', 'another run folder to compare the resolved configs with')
    .action((run: string, opts: { diff?: string }, cmd: Command) => {
      const ctx = contextFor(cmd);
      if (opts.diff) {
        const diff = diffRuns(run, opts.diff);
        if (ctx.options.json) return ctx.printJson({ a: run, b: opts.diff, differences: diff });
        if (diff.length === 0) return ctx.print('the resolved configs are identical');
        for (const d of diff) ctx.print(`${d.hashed ? '*' : ' '} ${d.key}: ${JSON.stringify(d.a)} -> ${JSON.stringify(d.b)}`);
        ctx.print('(* part of the run hash: a different experiment; the others change only how it is run, stopped or written)');
        return;
      }
      const { row, configYaml } = showRun(run);
      if (ctx.options.json) return ctx.printJson({ ...row, config: configYaml });
      ctx.print(formatRunTable([row]));
      ctx.print('');
      ctx.print(configYaml.trimEnd());
    });
}
