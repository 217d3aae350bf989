import { Command } from 'commander';
import { initBackend } from '../../backend';
import type { BackendRequest } from '../../backend/names';
import { UserError } from '../../errors';
import { buildReport, writeHtmlReport } from '../../report';
import { assertCanCreate } from '../../util/output-dir';
import { seedOption } from '../../util/seed';
import { backendOption, collect, contextFor } from '../context';

interface ReportCliOptions {
  out: string;
  metrics: string[];
  sort: string;
  desc?: boolean;
  groupBy: string;
  matrixMetric: string;
  html?: boolean;
  columns?: string;
  audio: number;
  seed: number;
  backend: BackendRequest;
}

/** "name,model,val_loss" → the names (spaces around commas allowed). */
function parseColumns(text: string): string[] {
  return text.split(',').map((c) => c.trim()).filter(Boolean);
}

function audioCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 32) throw new UserError(`--audio ${JSON.stringify(value)}: expected a whole number from 0 to 32`);
  return n;
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'Compare training runs: one table over all run folders (varying config keys, final and best losses, evaluation metrics, ' +
        'epochs, wall time, samples/s, backend) as report.md and report.csv, loss curves per group, and the dense ' +
        "autoencoders' size x activation matrix; --html adds a page to read and listen to.",
    )
    .argument('<runs...>', 'folders of run folders (e.g. runs/), or run folders')
    .requiredOption('-o, --out <dir>', 'output folder (report.md, report.csv, curves-*.png, matrix.png; with --html also index.html, assets/, models/, runs/)')
    .option('--metrics <file-or-folder>', 'metrics.json from `sampgen evaluate --out`, or a folder searched for them (repeatable); <run>/metrics.json is read automatically', collect, [])
    .option('--sort <column>', 'sort by this column (a loss, a metric, wall_s, samples_per_s, an axis …)', 'val_loss')
    .option('--desc', 'sort descending (and treat higher as better in the matrix)')
    .option('--group-by <key>', 'config key that groups runs into loss-curve plots', 'model.type')
    .option('--matrix-metric <name>', 'metric of the size x activation matrix', 'val_loss')
    .option('--html', 'also write index.html: the table (sortable, filterable), interactive loss curves and matrix, and per exported model its latent map, a grid contact sheet and audio players')
    .option('--columns <list>', 'comma-separated columns of the table (HTML page and report.md; report.csv keeps all); default on the page: name, model, the varied keys, epochs, best_val_loss, val_loss and the key evaluate metrics')
    .option('--audio <n>', 'with --html: reconstructions and random draws per model (and per class of a conditional model); 0 leaves the models out', audioCount, 4)
    .option('--seed <n>', 'with --html: seed of the random draws', seedOption('--seed'), 1)
    .addOption(backendOption('with --html: TF.js backend for decoding the models').default('auto'))
    .addHelpText(
      'after',
      '\nAxis columns are the config keys that differ between runs of the same model type. A run is named by its config\n' +
        "name and what sets it apart from the other runs of that name (e.g. 'ae-small-tanh lr=1e-3'). Metrics are matched\n" +
        'to runs by run folder, else by config hash and name. Hidden folders (runs/.smoke) are not entered: pass\n' +
        'runs/.smoke/runs to report on smoke runs.\n' +
        '\nThe page (--html) is one folder that works from disk (open index.html) and from any static host: vega, vega-lite\n' +
        'and vega-embed are bundled into assets/ (about 0.9 MB), the data is inside index.html, and every link is relative.\n' +
        'Sounds are 16-bit WAV at the model\'s rate, not normalised. TensorBoard links point at the runs\' tb/ folders\n' +
        'where they are, relative to --out.',
    )
    .action(async (roots: string[], opts: ReportCliOptions, cmd: Command) => {
      const ctx = contextFor(cmd);
      assertCanCreate(opts.out, '--out');
      const columns = opts.columns !== undefined ? parseColumns(opts.columns) : undefined;
      const result = buildReport({
        roots,
        out: opts.out,
        metrics: opts.metrics,
        sort: opts.sort,
        desc: opts.desc,
        groupBy: opts.groupBy,
        matrixMetric: opts.matrixMetric,
        columns,
        progress: ctx.progress,
      });
      if (opts.html) {
        if (opts.audio > 0) await initBackend(opts.backend, (m) => ctx.info(m));
        const html = await writeHtmlReport(result, { columns, audio: opts.audio, seed: opts.seed, progress: ctx.progress, warn: ctx.warn });
        result.files.push(...html);
      }
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
      const page = result.files.find((f) => f.endsWith('index.html'));
      ctx.print(`report over ${result.runs.length} runs: ${page ?? result.files.find((f) => f.endsWith('report.md'))}`);
      if (page) {
        ctx.print(`  open ${page} in a browser (it works from disk), or serve ${result.out} from any static host`);
        ctx.print(`  ${result.files.length} files in ${result.out}`);
      } else {
        for (const f of result.files) ctx.print(`  ${f}`);
      }
    });
}
