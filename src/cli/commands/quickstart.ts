import * as path from 'path';
import { Command } from 'commander';
import { quickstart, QUICKSTART_DEFAULTS } from '../../quickstart';
import { UserError } from '../../errors';
import { backendOption, contextFor } from '../context';

export function register(program: Command): void {
  program
    .command('quickstart')
    .description(
      'The main job end to end with no sample library: synthesize snares, preprocess them, train a dense autoencoder ' +
        'for a few epochs, export it, decode a grid of samples, plot the latent map, and print where everything is.',
    )
    .argument('[folder]', 'where to put everything', QUICKSTART_DEFAULTS.folder)
    .option('--count <n>', 'snares to synthesize', String(QUICKSTART_DEFAULTS.count))
    .option('--epochs <n>', 'training epochs', String(QUICKSTART_DEFAULTS.epochs))
    .option('--config <name-or-file>', 'a config of configs/ by name, or a YAML file', QUICKSTART_DEFAULTS.config)
    .addOption(backendOption('TF.js backend').default('auto'))
    .option('--force', 'redo the quickstart in a folder that is not empty')
    .action(async (folder: string, opts, cmd: Command) => {
      const ctx = contextFor(cmd);
      const count = Number(opts.count);
      const epochs = Number(opts.epochs);
      if (!Number.isInteger(count) || count < 8) throw new UserError(`--count must be an integer ≥ 8, got ${opts.count}`);
      if (!Number.isInteger(epochs) || epochs < 1) throw new UserError(`--epochs must be a positive integer, got ${opts.epochs}`);
      const s = await quickstart({ folder, count, epochs, config: opts.config, backend: opts.backend, force: Boolean(opts.force), progress: ctx.progress, log: ctx.info });
      if (ctx.options.json) return ctx.printJson(s);
      ctx.print(`quickstart finished in ${s.seconds} s on the ${s.backend} backend:`);
      ctx.print(`  raw snares         ${s.raw}`);
      ctx.print(`  dataset            ${s.dataset}`);
      ctx.print(`  training run       ${s.run}  (config.yaml, log.jsonl, checkpoints/)`);
      ctx.print(`  exported model     ${s.model}  (loadable by tf.loadLayersModel)`);
      ctx.print(`  generated grid     ${s.grid}  (36 WAVs; contact sheet ${s.contact_sheet})`);
      ctx.print(`  centre sample      ${s.sample}  (plots ${s.sample_plots.map((p) => path.basename(p)).join(', ')})`);
      ctx.print(`  latent map         ${s.latent_map}`);
      ctx.print(`  metrics            ${s.metrics}`);
      ctx.print(`  final loss ${s.final_loss}, validation loss ${s.final_val_loss}`);
      if (s.exported_epoch) ctx.print(`  exported the best epoch: ${s.exported_epoch.epoch} (validation loss ${s.exported_epoch.val_loss})`);
      ctx.print(`next: sampgen generate --model ${s.model} --z 0,0 --out snare.wav   or   sampgen audition --models ${s.model}/..`);
    });
}
