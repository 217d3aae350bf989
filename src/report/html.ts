/**
 * `sampgen report --html`: the report as a page researchers read and listen to, one self-contained folder
 * (index.html, assets/, the models' pictures and sounds, the runs' configs) that works from disk (file://) and from
 * any static host: every reference is a relative path into the folder, the data sits in the page itself (a
 * browser refuses fetch() on file://), and vega, vega-lite and vega-embed are bundled into assets/report.js.
 *
 * The table is plain HTML (sorting and filtering are the page script's); the charts are the very Vega-Lite
 * specifications of the PNGs beside it (src/eval/chart/specs.ts), drawn interactive by the page script, with the
 * PNG shown until then (and without JavaScript).
 */
import * as fs from 'fs';
import * as path from 'path';
import { errorMessage } from '../errors';
import { Progress, silentProgress } from '../progress';
import { writeFileAtomic } from '../util/atomic';
import { PACKAGE_ROOT, VERSION } from '../version';
import { sizeActivationMatrix, type ReportResult } from './build';
import { modelMedia, type ModelMedia } from './media';
import { runLabels } from './names';
import type { CellValue, RunRecord } from './runs';
import { checkColumns, defaultColumns, formatCell, selectColumns } from './table';
import type { PageData } from './page-data';

export interface HtmlOptions {
  /** Table columns (default: table.ts defaultColumns). */
  columns?: readonly string[];
  /** Reconstructions and random draws per model (and per class); 0 leaves out the models' sounds and pictures. */
  audio?: number;
  seed?: number;
  /** Folder holding report.js and report.css (default: dist/report-page, built there if missing). */
  pageAssets?: string;
  progress?: Progress;
  warn?: (message: string) => void;
}

/** Columns whose larger values are better (the matrix colours them bright at the top); every other column: smaller. */
const HIGHER_IS_BETTER = ['samples_per_s', 'class_real_accuracy', 'class_gen_accuracy', 'velocity_spearman'];

export function higherIsBetter(column: string): boolean {
  return HIGHER_IS_BETTER.includes(column) || HIGHER_IS_BETTER.some((c) => column.startsWith(`${c}:`));
}

/** Writes index.html and what it needs into the report folder; returns the files written. */
export async function writeHtmlReport(result: ReportResult, opts: HtmlOptions = {}): Promise<string[]> {
  const out = result.out;
  const progress = opts.progress ?? silentProgress;
  const files: string[] = [];
  const write = (rel: string, data: string | Uint8Array) => {
    const file = path.join(out, ...rel.split('/'));
    writeFileAtomic(file, data);
    files.push(file);
  };
  const columns = opts.columns ? checkColumns(result.table, opts.columns) : defaultColumns(result.table);
  const audio = opts.audio ?? 4;
  const labels = runLabels(result.runs);

  const assets = opts.pageAssets ?? reportPageAssets();
  for (const name of ['report.js', 'report.css']) write(`assets/${name}`, fs.readFileSync(path.join(assets, name)));
  for (const r of result.runs) write(`runs/${r.folder}/config.yaml`, fs.readFileSync(path.join(r.dir, 'config.yaml')));

  const media = new Map<RunRecord, ModelMedia>();
  if (audio > 0) {
    progress.start(result.runs.length, 'models');
    for (const r of result.table.runs) {
      try {
        media.set(r, await modelMedia(r, out, { count: audio, seed: opts.seed ?? 1 }));
      } catch (err) {
        opts.warn?.(`${r.folder}: no sounds or pictures of its model: ${errorMessage(err)}`);
      }
      progress.increment();
    }
    progress.stop();
    for (const m of media.values()) {
      for (const f of [m.latentMap, m.grid, ...m.reconstructions.flatMap((p) => [p.original.file, p.decoded.file]), ...m.generated.flatMap((g) => g.files.map((a) => a.file))]) {
        if (f) files.push(path.join(out, ...f.split('/')));
      }
    }
  }

  const data: PageData = {
    curves: result.curves.map((c) => ({
      group: c.group,
      groupBy: result.groupBy,
      charts: c.charts.map((chart) => ({
        title: chart.title,
        key: chart.key,
        logY: chart.logY,
        png: chart.file,
        series: chart.series.map((s) => ({ name: s.name, x: Array.from(s.x), y: Array.from(s.y) })),
      })),
    })),
    matrix: matrixData(result),
  };
  write('index.html', pageHtml(result, columns, labels, media, data));
  return files;
}

/** The size × activation matrix of every numeric column that has one (the page's menu), the report's metric first. */
function matrixData(result: ReportResult): PageData['matrix'] {
  const { table } = result;
  const metrics: NonNullable<PageData['matrix']>['metrics'] = [];
  for (const column of table.columns.filter((c) => table.numeric.has(c))) {
    const index = table.columns.indexOf(column);
    const rowOf = new Map(table.runs.map((r, i) => [r, table.rows[i]!]));
    const higher = column === result.matrixMetric ? result.desc : higherIsBetter(column);
    const m = sizeActivationMatrix(result.runs, column, higher, (r) => rowOf.get(r)![index]);
    if (!m) continue;
    const notes = m.counts.map((row) => row.map((n) => (n > 1 ? `best of ${n} runs` : n === 1 ? '1 run' : 'no run')));
    metrics.push({ metric: column, higherIsBetter: higher, sizes: m.sizes, activations: m.activations, values: m.values, notes });
  }
  if (metrics.length === 0) return null;
  const selected = metrics.some((m) => m.metric === result.matrixMetric) ? result.matrixMetric : metrics[0]!.metric;
  return { selected, png: result.matrix ? 'matrix.png' : null, metrics };
}

/** The built page script and style sheet: dist/report-page, built there on first use where missing. */
export function reportPageAssets(): string {
  const build = require(path.join(PACKAGE_ROOT, 'scripts', 'build-report-assets.js')) as { DEFAULT_PAGE_OUT: string; buildReportPage(dir: string): string[] };
  const dir = build.DEFAULT_PAGE_OUT;
  if (!fs.existsSync(path.join(dir, 'report.js')) || !fs.existsSync(path.join(dir, 'report.css'))) build.buildReportPage(dir);
  return dir;
}

// ----------------------------------------------------------------------------------------------------------------
// HTML
// ----------------------------------------------------------------------------------------------------------------

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A relative URL from path segments: each segment percent-encoded, joined by '/'. */
export function relUrl(rel: string): string {
  return rel.split(/[\\/]/).map((p) => (p === '..' || p === '.' ? p : encodeURIComponent(p))).join('/');
}

/** JSON inside <script type="application/json">: nothing in it may close the element or start a comment. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function pageHtml(result: ReportResult, columns: string[], labels: Map<RunRecord, string>, media: Map<RunRecord, ModelMedia>, data: PageData): string {
  const counts = new Map<string, number>();
  for (const r of result.runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const summary =
    `${result.runs.length} runs from ${result.roots.map(escapeHtml).join(', ')}: ${[...counts.entries()].map(([s, n]) => `${n} ${escapeHtml(s)}`).join(', ')}. ` +
    `Written by sampgen ${escapeHtml(VERSION)} on ${new Date().toISOString().slice(0, 10)}.`;
  const sections = [
    runsSection(result, columns, labels, media),
    curvesSection(data),
    matrixSection(data),
    modelsSection(result, labels, media),
    warningsSection(result.warnings),
  ].filter(Boolean);
  const nav = [
    ['runs', 'Runs'],
    ...(data.curves.length > 0 ? [['curves', 'Loss curves']] : []),
    ...(data.matrix ? [['matrix', 'Size × activation']] : []),
    ...(media.size > 0 ? [['models', 'Models']] : []),
  ]
    .map(([id, title]) => `<a href="#${id}">${title}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sampgen report: ${result.runs.length} runs</title>
<link rel="stylesheet" href="assets/report.css">
</head>
<body>
<header>
<h1>Training report</h1>
<p class="summary">${summary}</p>
<nav>${nav}<a href="report.md">report.md</a><a href="report.csv">report.csv</a></nav>
</header>
<main>
${sections.join('\n')}
</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script src="assets/report.js"></script>
</body>
</html>
`;
}

function runsSection(result: ReportResult, columns: string[], labels: Map<RunRecord, string>, media: Map<RunRecord, ModelMedia>): string {
  const { table } = result;
  const shown = selectColumns(table, columns);
  const typeOf = (c: string) => (table.numeric.has(c) ? 'number' : 'text');
  const head = shown.columns
    .map((c) => `<th scope="col" data-type="${typeOf(c)}" aria-sort="none"><button type="button">${escapeHtml(c)}</button></th>`)
    .join('');
  const rows = shown.rows.map((row, i) => {
    const run = table.runs[i]!;
    const cells = row.map((v, j) => cellHtml(shown.columns[j]!, v, run, labels, media.has(run)));
    return `<tr data-run="${escapeHtml(run.folder)}">${cells.join('')}<td class="links">${runLinks(result.out, run)}</td></tr>`;
  });
  return `<section id="runs">
<h2>Runs</h2>
<div class="controls"><input type="search" id="filter" placeholder="filter: words that must all appear, e.g. tanh lr=1e-3" aria-label="filter runs"><span id="shown" aria-live="polite">${table.rows.length} of ${table.rows.length} runs</span></div>
<div class="table-wrap"><table id="runs-table">
<thead><tr>${head}<th scope="col">links</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>
<p class="note">Click a heading to sort. loss and val_loss are the last epoch's, best_val_loss the best validated epoch's (best_epoch). Under a metric: the real / generated samples it rests on. Every column is in <a href="report.csv">report.csv</a>; choose them with <code>--columns</code>.</p>
</section>`;
}

function cellHtml(column: string, v: CellValue, run: RunRecord, labels: Map<RunRecord, string>, hasMedia: boolean): string {
  const sortValue = v === null || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v);
  let text = escapeHtml(formatCell(v));
  if (column === 'name') {
    text = hasMedia ? `<a href="#run-${escapeHtml(run.folder)}">${escapeHtml(labels.get(run)!)}</a>` : escapeHtml(labels.get(run)!);
    return `<td data-value="${escapeHtml(sortValue)}" title="${escapeHtml(run.folder)}">${text}</td>`;
  }
  const count = run.metricCounts[column];
  if (count && v !== null) {
    const n = `${count.n_real ?? '—'} / ${count.n_generated ?? '—'}`;
    text += `<small class="n" title="real / generated samples this number rests on">n ${escapeHtml(n)}</small>`;
  }
  return `<td data-value="${escapeHtml(sortValue)}"${typeof v === 'number' ? ' class="num"' : ''}>${text}</td>`;
}

/** The run's resolved config (copied into the report) and its TensorBoard folder (where the run is, relative). */
function runLinks(out: string, run: RunRecord): string {
  const links = [`<a href="${relUrl(`runs/${run.folder}/config.yaml`)}">config</a>`];
  const tb = path.join(run.dir, 'tb');
  if (fs.existsSync(tb)) {
    const rel = path.relative(out, tb);
    links.push(`<a href="${relUrl(rel)}/" title="tensorboard --logdir ${escapeHtml(path.resolve(tb))}">TensorBoard</a>`);
  }
  return links.join(' · ');
}

function curvesSection(data: PageData): string {
  if (data.curves.length === 0) return '';
  const groups = data.curves.map((c, g) => {
    const figures = c.charts.map(
      (chart, k) =>
        `<figure class="chart" data-curve="${g}-${k}"><img src="${relUrl(chart.png)}" alt="${escapeHtml(chart.title)}" width="800" height="500"></figure>`,
    );
    return `<div class="group"><h3>${escapeHtml(c.groupBy)} = ${escapeHtml(c.group)}</h3><div class="charts">${figures.join('')}</div></div>`;
  });
  return `<section id="curves">
<h2>Loss curves</h2>
<div class="controls"><label><input type="checkbox" id="log-scale" checked> log scale</label><span class="hint">Hover a point for its numbers; click a run in a legend to show it alone, shift-click to add runs, double-click the chart to show all.</span></div>
${groups.join('\n')}
</section>`;
}

function matrixSection(data: PageData): string {
  const m = data.matrix;
  if (!m) return '';
  const options = m.metrics.map((x) => `<option value="${escapeHtml(x.metric)}"${x.metric === m.selected ? ' selected' : ''}>${escapeHtml(x.metric)}</option>`).join('');
  const png = m.png ? `<img src="${relUrl(m.png)}" alt="size × activation matrix of ${escapeHtml(m.selected)}" width="640" height="480">` : '';
  return `<section id="matrix">
<h2>Dense autoencoders: size × activation</h2>
<div class="controls"><label>column <select id="matrix-metric">${options}</select></label><span class="hint">A cell with several runs shows the best of them.</span></div>
<figure class="chart" data-matrix>${png}</figure>
</section>`;
}

function modelsSection(result: ReportResult, labels: Map<RunRecord, string>, media: Map<RunRecord, ModelMedia>): string {
  if (media.size === 0) return '';
  const articles = result.table.runs
    .filter((r) => media.has(r))
    .map((r) => {
      const m = media.get(r)!;
      const player = (a: { file: string; label: string }) =>
        `<figure class="sound"><audio controls preload="none" src="${relUrl(a.file)}"></audio><figcaption>${escapeHtml(a.label)}</figcaption></figure>`;
      const pictures = [
        m.latentMap ? `<figure><a href="${relUrl(m.latentMap)}"><img src="${relUrl(m.latentMap)}" alt="latent map of ${escapeHtml(labels.get(r)!)}" loading="lazy"></a><figcaption>latent map of the training set</figcaption></figure>` : '',
        m.grid ? `<figure><a href="${relUrl(m.grid)}"><img src="${relUrl(m.grid)}" alt="contact sheet of a grid over the latent space of ${escapeHtml(labels.get(r)!)}" loading="lazy"></a><figcaption>decodes of a grid over the latent space</figcaption></figure>` : '',
      ].join('');
      const recon = m.reconstructions.length
        ? `<h4>Reconstructions</h4><table class="listen"><thead><tr><th scope="col">original (validation split)</th><th scope="col">reconstruction</th></tr></thead><tbody>${m.reconstructions
            .map((p) => `<tr><td>${player(p.original)}</td><td>${player(p.decoded)}</td></tr>`)
            .join('')}</tbody></table>`
        : '';
      const generated = m.generated
        .map((g) => `<div class="generated"${g.className ? ` data-class="${escapeHtml(g.className)}"` : ''}><h4>${escapeHtml(g.title === 'generated' ? 'Generated' : `Generated: ${g.title}`)}</h4><div class="players">${g.files.map(player).join('')}</div></div>`)
        .join('');
      const notes = m.notes.length ? `<ul class="notes">${m.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
      const modelLink = m.modelDir ? ` · model ${escapeHtml(path.basename(m.modelDir))}` : '';
      return `<article class="model" id="run-${escapeHtml(r.folder)}">
<h3>${escapeHtml(labels.get(r)!)}</h3>
<p class="meta"><code>${escapeHtml(r.folder)}</code> · ${escapeHtml(r.modelType)}${modelLink} · ${runLinks(result.out, r)}</p>
${pictures ? `<div class="pictures">${pictures}</div>` : ''}${recon}${generated}${notes}
</article>`;
    });
  return `<section id="models">
<h2>Models</h2>
<p class="note">Each exported model: where the training set lies in its latent space, a grid of decodes, validation samples next to their reconstructions, and generated samples (the grid's corners and random draws; per class for a model conditioned on class). 16-bit WAV at the model's rate, not normalised: loudness is the model's.</p>
${articles.join('\n')}
</section>`;
}

function warningsSection(warnings: string[]): string {
  if (warnings.length === 0) return '';
  return `<section id="warnings"><h2>Warnings</h2><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>`;
}
