/**
 * `sampgen evaluate --out DIR --html`: evaluate's comparison as the same kind of page as `report --html` (html.ts),
 * in the same folder as metrics.json and metrics.md: one row per model, one column per metric (the headline metrics
 * first), each value with its bootstrap interval and the real / generated samples it rests on; sortable and
 * filterable by the report page's script, and working from disk like it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatMetricValue } from '../eval/summary';
import { HEADLINE_METRICS, type ModelEvaluation } from '../infer/evaluate';
import { writeFileAtomic } from '../util/atomic';
import { VERSION } from '../version';
import { escapeHtml, reportPageAssets, scriptJson } from './html';
import type { PageData } from './page-data';

export interface EvaluatePageOptions {
  /** The heading's description of what was measured (e.g. "data/snares (validation split)"). */
  title: string;
  /** One line per model saying which rows its numbers rest on. */
  rows: string[];
  /** Folder holding report.js and report.css (default: dist/report-page, built there if missing). */
  pageAssets?: string;
}

/** Writes index.html and assets/ into `out`; returns the files written. */
export function writeEvaluateHtml(out: string, evals: readonly ModelEvaluation[], opts: EvaluatePageOptions): string[] {
  const files: string[] = [];
  const write = (rel: string, data: string | Uint8Array) => {
    const file = path.join(out, ...rel.split('/'));
    writeFileAtomic(file, data);
    files.push(file);
  };
  const assets = opts.pageAssets ?? reportPageAssets();
  for (const name of ['report.js', 'report.css']) write(`assets/${name}`, fs.readFileSync(path.join(assets, name)));

  const present = new Set(evals.flatMap((e) => Object.keys(e.metrics)));
  const headline = HEADLINE_METRICS.filter((k) => present.has(k));
  const metrics = [...headline, ...[...present].filter((k) => !(headline as readonly string[]).includes(k))];
  const head = ['model', 'type', 'rows', ...metrics]
    .map((c, i) => `<th scope="col" data-type="${i >= 2 ? 'number' : 'text'}" aria-sort="none"><button type="button">${escapeHtml(c)}</button></th>`)
    .join('');
  const body = evals.map((e) => {
    const cells = metrics.map((k) => {
      const v = e.metrics[k];
      if (v === undefined) return '<td data-value="" class="num">n/a</td>';
      const interval = e.intervals?.[k];
      const count = e.counts?.[k];
      const n = count ? `<small class="n" title="real / generated samples this number rests on">n ${count.n_real ?? '—'} / ${count.n_generated ?? '—'}</small>` : '';
      const ci = interval ? `<small class="n" title="bootstrap interval">[${escapeHtml(formatMetricValue(interval.low))}, ${escapeHtml(formatMetricValue(interval.high))}]</small>` : '';
      return `<td data-value="${Number.isFinite(v) ? v : ''}" class="num">${escapeHtml(formatMetricValue(v))}${ci}${n}</td>`;
    });
    return `<tr data-run="${escapeHtml(e.name)}"><td data-value="${escapeHtml(e.name)}">${escapeHtml(e.name)}</td><td data-value="${escapeHtml(e.model_type)}">${escapeHtml(e.model_type)}</td><td data-value="${e.count}" class="num">${e.count}</td>${cells.join('')}<td class="links"><a href="metrics.json">json</a></td></tr>`;
  });
  const warnings = evals.flatMap((e) => e.warnings.map((w) => `${e.name}: ${w}`));
  const data: PageData = { curves: [], matrix: null };
  write(
    'index.html',
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sampgen evaluation: ${evals.length} model${evals.length === 1 ? '' : 's'}</title>
<link rel="stylesheet" href="assets/report.css">
</head>
<body>
<header>
<h1>Evaluation on ${escapeHtml(opts.title)}</h1>
<ul class="summary">${opts.rows.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
<p class="summary">Written by sampgen ${escapeHtml(VERSION)} on ${new Date().toISOString().slice(0, 10)}.</p>
<nav><a href="metrics.md">metrics.md</a><a href="metrics.json">metrics.json</a></nav>
</header>
<main>
<section id="runs">
<h2>Metrics</h2>
<div class="controls"><input type="search" id="filter" placeholder="filter models" aria-label="filter models"><span id="shown" aria-live="polite">${evals.length} of ${evals.length} models</span></div>
<div class="table-wrap"><table id="runs-table" data-noun="models">
<thead><tr>${head}<th scope="col">links</th></tr></thead>
<tbody>
${body.join('\n')}
</tbody>
</table></div>
<p class="note">Click a heading to sort. Under a value: its bootstrap interval [low, high] where the metric has one, and the real / generated samples it rests on. Headline metrics come first; every formula is in docs/metrics.md.</p>
</section>
${warnings.length > 0 ? `<section id="warnings"><h2>Warnings</h2><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>` : ''}
</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script src="assets/report.js"></script>
</body>
</html>
`,
  );
  return files;
}
