import { Command } from 'commander';
import { readDatasetInfo } from '../../data';
import { formatDatasetSummary, summarizeDataset } from '../../data/summary';
import { contextFor } from '../context';

export function register(program: Command): void {
  const dataset = program.command('dataset').description('Look into dataset folders made by `sampgen preprocess`.');
  dataset
    .command('info')
    .description('What a dataset holds: rows, length, sample rate, rows per drum class, the sources\' levels before processing (overall and per class), and the skipped files. Reads dataset.json only.')
    .argument('<dataset>', 'a dataset folder, e.g. datasets/snares')
    .action((dir: string, _opts: unknown, cmd: Command) => {
      const ctx = contextFor(cmd);
      const summary = summarizeDataset(readDatasetInfo(dir));
      if (ctx.options.json) return ctx.printJson(summary);
      for (const line of formatDatasetSummary(dir, summary)) ctx.print(line);
    });
}
