import { Command } from 'commander';
import { loadConfig, serializeConfig } from '../../config';
import { configReference } from '../../config/reference';
import { collect, contextFor } from '../context';

export function register(program: Command): void {
  const config = program.command('config').description('Resolved configs and the reference of every config key.');
  config
    .command('show')
    .description('Print the resolved config (every key filled in, defaults included, `extends` and --set applied) with its run hash, as training would write it to <run>/config.yaml.')
    .argument('<config>', 'a config YAML, e.g. configs/ae-medium-tanh.yaml')
    .option('--set <key.path=value>', 'override a config key, e.g. --set train.lr=1e-4 (repeatable)', collect, [])
    .action((file: string, opts: { set: string[] }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const loaded = loadConfig(file, opts.set);
      if (ctx.options.json) return ctx.printJson({ file, hash: loaded.hash, full_hash: loaded.fullHash, run: `${loaded.config.name}-${loaded.hash}`, config: loaded.config });
      process.stdout.write(serializeConfig(loaded));
    });
  config
    .command('reference')
    .description('Print the reference of every config key (what it accepts, its default, what it means) as Markdown: docs/config.md is this output.')
    .action((_opts: unknown, cmd: Command) => {
      contextFor(cmd);
      process.stdout.write(configReference());
    });
}
