import { Command } from 'commander';
import { buildReport } from '../../report';
import { assertCanCreate } from '../../util/output-dir';
import { collect, contextFor } from '../context';

interface ReportCliOptions {
  out: string;
  metrics: string[];
  sort: string;
  desc?: boolean;
  groupBy: string;
  matrixMetric: string;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Compare training runs: one table over all run folders (varying config keys, final losses, evaluation metrics, ' +
        'epochs, wall time, samples/s, backend) as report.md and report.csv, loss curves per group, and the dense ' +
        'autoencoders\' size x activation matrix.',
    )
    .argument('<runs...>', 'folders of run folders (e.g. runs/), or run folders')
    .requiredOption('-o, --out <dir>', 'output folder (report.md, report.csv, curves-*.png, matrix.png)')
    .option('--metrics <file-or-folder>', 'metrics.json from `sampgen evaluate --out`, or a folder searched for them (repeatable); <run>/metrics.json is read automatically', collect, [])
    .option('--sort <column>', 'sort by this column (a loss, a metric, wall_s, samples_per_s, an axis …)', 'val_loss')
    .option('--desc', 'sort descending (and treat higher as better in the matrix)')
    .option('--group-by <key>', 'config key that groups runs into loss-curve plots', 'model.type')
    .option('--matrix-metric <name>', 'metric of the size x activation matrix', 'val_loss')
    .addHelpText(
      'after',
      '\nAxis columns are the config keys that differ between runs of the same model type. Metrics are matched to\n' +
        'runs by run folder, else by config hash and name. Hidden folders (runs/.smoke) are not entered: pass\n' +
        'runs/.smoke/runs to report on smoke runs.',
    )
    .action((roots: string[], opts: ReportCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd);
      assertCanCreate(opts.out, '--out');
      const result = buildReport({
        roots,
        out: opts.out,
        metrics: opts.metrics,
        sort: opts.sort,
        desc: opts.desc,
        groupBy: opts.groupBy,
        matrixMetric: opts.matrixMetric,
        progress: ctx.progress,
      });
      for (const w of result.warnings) ctx.warn(w);
      if (ctx.options.json) {
        ctx.printJson({
          out: result.out,
          files: result.files,
          columns: result.table.columns,
          rows: result.table.rows.map((row) => Object.fromEntries(result.table.columns.map((c, i) => [c, row[i]]))),
          matrix: result.matrix,
          warnings: result.warnings,
        });
        return;
      }
      ctx.print(`report over ${result.runs.length} runs: ${result.files.find((f) => f.endsWith('report.md'))}`);
      for (const f of result.files) ctx.print(`  ${f}`);
    });
}
