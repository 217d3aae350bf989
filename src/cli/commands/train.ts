import { Command } from 'commander';
import { loadConfig } from '../../config';
import { trainModel } from '../../train/run';
import { ensureSmokeDataset, smokeSets } from '../../train/smoke';
import { installStopHandlers, newStopFlag } from '../../train/stop';
import { backendOption, collect, contextFor } from '../context';
import type { BackendRequest } from '../../backend/names';

interface TrainCliOptions {
  config: string;
  set: string[];
  resume?: boolean;
  force?: boolean;
  backend?: BackendRequest;
  export: boolean;
  smoke?: boolean;
}

export function register(program: Command): void {
  program
    .command('train')
    .description(
      'Train the model a YAML config describes on a dataset made by `sampgen preprocess`: validation split, ' +
        'progress, log.jsonl, checkpoints (latest and best) and export to <output.models>/<name>-<hash>/ at the end ' +
        '(with <output.models>/<name> linked to it).',
    )
    .requiredOption('-c, --config <file>', 'the config YAML (see configs/, e.g. configs/ae-medium-tanh.yaml)')
    .option('--set <key.path=value>', 'override a config key, e.g. --set train.lr=1e-4 (repeatable)', collect, [])
    .option('--resume', 'continue the run from its last checkpoint (same config and overrides)')
    .option('--force', 'start over even though the run folder has a checkpoint; replace a real folder at <output.models>/<name> by the link')
    .addOption(backendOption('TF.js backend (default: the config\'s train.backend, itself default auto)'))
    .option('--no-export', 'do not write the model folder at the end (run `sampgen export <run>` later)')
    .option('--smoke', 'a few steps on a tiny synthetic dataset, everything under <output.runs>/.smoke/ (checks a config in CI); starts over each time unless --resume')
    .addHelpText(
      'after',
      '\nThe run folder is <output.runs>/<name>-<config hash>/ (config.yaml, log.jsonl, checkpoints/latest/ and best/).\n' +
        'Its model is <output.models>/<name>-<config hash>/; <output.models>/<name> links to the last one exported.\n' +
        'The hash covers what determines the weights, not when training stops: a finished run is extended in its own\n' +
        'folder with --resume --set train.epochs=N. A run refuses to continue on a dataset other than its own.\n' +
        'One process trains a run at a time (the run folder\'s .lock, shared with `sweep run`).\n' +
        'Ctrl-C (SIGINT) or SIGTERM finishes the current batch, saves a checkpoint and exits 0; --resume continues it.\n' +
        'A NaN or Inf loss stops the run (exit 1) and keeps the last good checkpoint.',
    )
    .action(async (opts: TrainCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd);
      let loaded = loadConfig(opts.config, opts.set);
      if (opts.smoke) {
        loaded = loadConfig(opts.config, [...opts.set, ...smokeSets(loaded.config)]);
        ensureSmokeDataset(loaded.config.data.path, loaded.config.model.length);
      }
      const stop = newStopFlag();
      const uninstall = installStopHandlers(stop, (signal) => ctx.progress.log(`${signal}: finishing the batch, then saving a checkpoint…`));
      try {
        const result = await trainModel({
          loaded,
          resume: opts.resume,
          force: opts.force || (opts.smoke && !opts.resume),
          backend: opts.backend,
          progress: ctx.progress,
          stop,
          export: opts.export,
        });
        if (ctx.options.json) ctx.printJson(result);
        else {
          ctx.print(`${result.status === 'completed' ? 'trained' : 'interrupted'}: ${result.epochs} epochs, ${result.steps} steps on ${result.backend}`);
          ctx.print(`run folder: ${result.runDir}`);
          if (result.modelDir) ctx.print(`model: ${result.modelDir}`);
          const f = result.final;
          if (f.loss !== undefined) ctx.print(`final loss ${f.loss}${f.val_loss != null ? `, val_loss ${f.val_loss}` : ''}`);
          if (result.best) ctx.print(`best validation epoch: ${result.best.epoch} (${result.best.val_loss})`);
          if (result.stoppedEarly !== null) ctx.print(`stopped early at epoch ${result.stoppedEarly} (train.early_stop)`);
        }
      } finally {
        // After a first signal the stop handler stays until the process ends: a second signal then exits 0 once the
        // checkpoint is saved (train/stop.ts), instead of falling to the process-wide handler, which re-raises it (143).
        if (!stop.requested) uninstall();
      }
    });
}
