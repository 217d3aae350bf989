import { Command } from 'commander';
import { buildSite, SiteSummary } from '../../audition/site';
import { formatBytes } from '../../audition/upload-chain';
import { collect, CommandContext, contextFor } from '../context';

/** What `site` and `audition --export` print: where the site is, its models, and the page's size as a host sends it. */
export function reportSite(ctx: CommandContext, summary: SiteSummary): void {
  if (ctx.options.json) {
    ctx.printJson(summary);
    return;
  }
  ctx.print(`sampgen site: ${summary.models.length} model(s) in ${summary.out} (${summary.files} files, ${formatBytes(summary.total_bytes)})`);
  ctx.print(`  page: ${formatBytes(summary.page_gzip_bytes)} gzipped (${summary.page.map((p) => `${p.file} ${formatBytes(p.gzip_bytes)}`).join(', ')}); models load when picked`);
  for (const m of summary.models) {
    const training = m.training ? `nearest training sample: ${m.training}` : `no training sample names (${m.training_note})`;
    ctx.print(`  ${m.folder}: ${formatBytes(m.bytes)}; ${training}`);
  }
  ctx.print(`serve it with any static file server, e.g.  python3 -m http.server -d ${summary.out} 8000  (see the README: GitHub Pages, S3)`);
}

export function register(program: Command): void {
  program
    .command('site')
    .description(
      'Build the audition page and exported models into one folder of static files that any static host serves ' +
        '(GitHub Pages, S3, python3 -m http.server): pads, sequencer, favourites and kit export in the browser; dropped files are decoded in the browser.',
    )
    .option('--models <dir>', 'folder holding exported model folders', 'models')
    .requiredOption('--out <dir>', 'folder to write the site into (replaced whole; a folder holding other files needs --force)')
    .option('--model <folder>', 'include only this model (repeatable; default every model in --models)', collect, [])
    .option('--training-audio', "include every training sample's audio (16-bit WAV each), so that the page plays the nearest one; sizeable for large datasets")
    .option('--force', 'replace --out even if it holds files that are not a sampgen site')
    .action(async (opts: { models: string; out: string; model: string[]; trainingAudio?: boolean; force?: boolean }, cmd: Command) => {
      const ctx = contextFor(cmd);
      const summary = await buildSite({ modelsDir: opts.models, out: opts.out, models: opts.model, trainingAudio: opts.trainingAudio, force: opts.force });
      reportSite(ctx, summary);
    });
}
