import { Command } from 'commander';
import { UserError, RuntimeFailure } from '../../errors';
import { DEFAULT_STALE_AFTER_SECONDS, INDEX_VARIABLES, planSummary, planSweep, runSweep, selectEntries } from '../../sweep';
import { installStopHandlers, newStopFlag } from '../../train/stop';
import { backendOption, collect, contextFor } from '../context';
import type { BackendRequest } from '../../backend/names';

interface PlanCliOptions {
  set: string[];
  smoke?: boolean;
}

interface RunCliOptions extends PlanCliOptions {
  index?: string;
  shard?: string;
  staleAfter: string;
  backend?: BackendRequest;
  export: boolean;
  interruptedExit?: string;
}

const GRID_HELP =
  '\nA grid file lists configs (paths relative to the grid file, globs * ? [..] allowed) and axes:\n' +
  '  configs: [../configs/ae-*.yaml, ../configs/gan.yaml]\n' +
  '  axes: { train.lr: [0.001, 0.0001] }\n' +
  '  set: { train.epochs: 700 }        # optional, every entry\n' +
  'Entries are ordered: configs as listed (matches sorted by name), then the product of the axes in the\n' +
  'order written, the last axis varying fastest. The same grid always gives the same index -> run mapping.';

export function register(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('Batches of training runs from a grid file, one resumable run per entry, for Slurm arrays, Kubernetes Indexed Jobs or CI matrices.');

  sweep
    .command('plan')
    .description('Print the ordered entries of a grid: index, config, axis values, config hash and run folder.')
    .argument('<grid>', 'grid file (YAML)')
    .option('--set <key.path=value>', 'override a config key in every entry (repeatable)', collect, [])
    .option('--smoke', 'plan the smoke runs (a few steps on synthetic data, under <runs>/.smoke/)')
    .addHelpText('after', GRID_HELP)
    .action((grid: string, opts: PlanCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd);
      const plan = planSweep(grid, { sets: opts.set, smoke: opts.smoke });
      if (ctx.options.json) {
        ctx.printJson(planSummary(plan));
        return;
      }
      ctx.print(`${plan.entries.length} entries in ${grid}${plan.smoke ? ' (smoke)' : ''}:`);
      for (const e of plan.entries) {
        ctx.print(`${String(e.index).padStart(4)}  ${e.hash}  ${e.runDir}  ${e.config}${e.axes.length ? `  ${e.axes.join(' ')}` : ''}`);
      }
    });

  sweep
    .command('run')
    .description('Run entries of a grid: one (--index), a shard (--shard K/N) or all, in order; finished ones are skipped, interrupted ones resumed.')
    .argument('<grid>', 'grid file (YAML)')
    .option('--index <i|auto>', `run one entry; auto: the first of ${INDEX_VARIABLES.join(', ')}`)
    .option('--shard <K/N>', 'run every entry i with i mod N = K, in sequence')
    .option('--set <key.path=value>', 'override a config key in every entry, like train --set (repeatable)', collect, [])
    .option('--smoke', 'every entry runs a few steps on a tiny synthetic dataset (everything under <runs>/.smoke/)')
    .option('--stale-after <seconds>', 'a lock without a heartbeat for this long may be taken over', String(DEFAULT_STALE_AFTER_SECONDS))
    .addOption(backendOption('TF.js backend for every entry'))
    .option('--no-export', 'do not export models at the end of each run')
    .option(
      '--interrupted-exit <code>',
      'exit with this code (1-125) when an entry was interrupted (SIGTERM/Ctrl-C) and checkpointed, instead of 0: for schedulers ' +
        'that count exit 0 as done, e.g. a Kubernetes Indexed Job with restartPolicy Never (its example uses 75 with a podFailurePolicy)',
    )
    .addHelpText(
      'after',
      GRID_HELP +
        '\n\nEach entry trains in its run folder <output.runs>/<name>-<hash>/ under a lock file (.lock: host, pid,\n' +
        'heartbeat). A worker skips an entry whose lock is live, and takes over one that is stale (no heartbeat for\n' +
        '--stale-after seconds, or its process on this host is gone). Keep the clocks of the machines in sync.\n' +
        'Finished runs get done.json and are skipped; an interrupted run resumes from its checkpoint. A failed run\n' +
        'gets failed.json with the error, the sweep goes on, and the exit code is 1 at the end; the next sweep run\n' +
        'retries it (a failure may be transient). Ctrl-C checkpoints the running entry and stops the sweep.',
    )
    .action(async (grid: string, opts: RunCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd);
      const interruptedExit = opts.interruptedExit === undefined ? 0 : Number(opts.interruptedExit);
      if (!Number.isInteger(interruptedExit) || interruptedExit < 0 || interruptedExit > 125) {
        throw new UserError(`--interrupted-exit must be an exit code from 0 to 125, got ${JSON.stringify(opts.interruptedExit)}`);
      }
      const staleAfter = Number(opts.staleAfter);
      if (!Number.isFinite(staleAfter) || staleAfter <= 0) throw new UserError(`--stale-after must be a number of seconds > 0, got ${JSON.stringify(opts.staleAfter)}`);
      const plan = planSweep(grid, { sets: opts.set, smoke: opts.smoke });
      const selection = selectEntries(plan.entries.length, { index: opts.index, shard: opts.shard });
      ctx.info(`sweep ${grid}${plan.smoke ? ' (smoke)' : ''}: ${selection.description}`);
      const stop = newStopFlag();
      const uninstall = installStopHandlers(stop, (signal) => ctx.progress.log(`${signal}: finishing the batch, saving a checkpoint, then stopping the sweep…`));
      let summary;
      try {
        summary = await runSweep({
          plan,
          indices: selection.indices,
          staleAfterSeconds: staleAfter,
          backend: opts.backend,
          progress: ctx.progress,
          stop,
          export: opts.export,
        });
      } finally {
        // After a first signal the stop handler stays until the process ends: a second signal then exits 0 once the
        // checkpoint is saved (train/stop.ts), instead of falling to the process-wide handler, which re-raises it (143).
        if (!stop.requested) uninstall();
      }
      const c = summary.counts;
      if (ctx.options.json) {
        ctx.printJson({
          grid,
          smoke: plan.smoke,
          selected: selection.indices,
          counts: c,
          not_started: summary.notStarted,
          entries: summary.outcomes.map((o) => ({
            index: o.index,
            name: o.name,
            hash: o.hash,
            run: o.runDir,
            status: o.status,
            resumed: o.resumed ?? false,
            message: o.message ?? null,
            final: o.result?.final ?? null,
          })),
        });
      } else {
        ctx.print(
          `sweep: ${c.completed} completed, ${c['already-done']} already done, ${c.locked} locked by other workers, ` +
            `${c.interrupted} interrupted, ${c.failed} failed` + (summary.notStarted.length ? `, ${summary.notStarted.length} not started` : ''),
        );
        for (const o of summary.outcomes.filter((x) => x.status === 'failed')) ctx.print(`  failed: entry ${o.index} ${o.runDir}: ${o.message}`);
      }
      if (c.interrupted > 0 && interruptedExit !== 0 && c.failed === 0) {
        // Not an error: the checkpoint is kept and the entry resumes; the code only tells the scheduler "not done, run again".
        ctx.info(`exit ${interruptedExit} (--interrupted-exit): ${c.interrupted} entr${c.interrupted === 1 ? 'y was' : 'ies were'} interrupted and will resume when run again`);
        process.exitCode = interruptedExit;
      }
      if (c.failed > 0) {
        const which = summary.outcomes.filter((o) => o.status === 'failed').map((o) => o.index);
        if (ctx.options.json) process.exitCode = 1;
        else throw new RuntimeFailure(`${c.failed} sweep entr${c.failed === 1 ? 'y' : 'ies'} failed (${which.join(', ')}); see failed.json in their run folders`);
      }
    });
}
