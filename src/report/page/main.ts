/**
 * The report page's script (bundled with vega, vega-lite and vega-embed into assets/report.js): sorts and filters
 * the runs table, and replaces each chart's PNG by the same Vega-Lite specification drawn interactive (tooltips,
 * legend toggles), with a log-scale switch for the loss curves and a column menu for the size × activation matrix.
 * No framework: a table and a few charts need none.
 */
import embed, { type VisualizationSpec } from 'vega-embed';
import { heatmapSpec, lineChartSpec } from '../../eval/chart/specs';
import type { PageData } from '../page-data';

const data = JSON.parse(document.getElementById('report-data')?.textContent ?? '{}') as PageData;

// ------------------------------------------------------------------------------------------------------------
// Table: sort by a heading, filter by words
// ------------------------------------------------------------------------------------------------------------

function setUpTable(table: HTMLTableElement): void {
  const body = table.tBodies[0]!;
  const headings = Array.from(table.tHead!.rows[0]!.cells).slice(0, -1); // the last column holds links
  headings.forEach((th, column) => {
    th.querySelector('button')?.addEventListener('click', () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      headings.forEach((h) => h.setAttribute('aria-sort', 'none'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const numeric = th.dataset.type === 'number';
      const rows = Array.from(body.rows);
      const key = (row: HTMLTableRowElement) => row.cells[column]!.dataset.value ?? '';
      rows.sort((a, b) => {
        const va = key(a);
        const vb = key(b);
        // Rows without a value go last whichever the direction.
        if (va === '' || vb === '') return va === vb ? 0 : va === '' ? 1 : -1;
        const c = numeric ? Number(va) - Number(vb) : va.localeCompare(vb, undefined, { numeric: true });
        return ascending ? c : -c;
      });
      body.append(...rows);
    });
  });
  const filter = document.getElementById('filter') as HTMLInputElement | null;
  const shown = document.getElementById('shown');
  filter?.addEventListener('input', () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let count = 0;
    for (const row of Array.from(body.rows)) {
      const text = `${row.textContent ?? ''} ${row.dataset.run ?? ''}`.toLowerCase();
      const match = words.every((w) => text.includes(w));
      row.hidden = !match;
      if (match) count++;
    }
    if (shown) shown.textContent = `${count} of ${body.rows.length} ${table.dataset.noun ?? 'runs'}`;
  });
}

// ------------------------------------------------------------------------------------------------------------
// Charts
// ------------------------------------------------------------------------------------------------------------

const EMBED_OPTIONS = {
  mode: 'vega-lite' as const,
  renderer: 'svg' as const,
  // Export as SVG or PNG stays; nothing that opens another site (the Vega editor) or shows the spec.
  actions: { export: true, source: false, compiled: false, editor: false },
};

/** Draws `spec` into the figure in place of its PNG; the PNG stays if drawing fails. */
async function draw(figure: HTMLElement, spec: Record<string, unknown>): Promise<void> {
  let holder = figure.querySelector<HTMLElement>('.vega-holder');
  if (!holder) {
    holder = document.createElement('div');
    holder.className = 'vega-holder';
    figure.append(holder);
  }
  try {
    const result = await embed(holder, spec as VisualizationSpec, EMBED_OPTIONS);
    figure.querySelector('img')?.remove();
    figure.dataset.rendered = 'true';
    void result;
  } catch (err) {
    holder.remove();
    figure.dataset.error = String(err);
    console.error(err);
  }
}

function drawCurves(): void {
  const log = (document.getElementById('log-scale') as HTMLInputElement | null)?.checked ?? true;
  data.curves.forEach((group, g) =>
    group.charts.forEach((chart, k) => {
      const figure = document.querySelector<HTMLElement>(`[data-curve="${g}-${k}"]`);
      if (!figure) return;
      const spec = lineChartSpec(chart.series, {
        title: chart.title,
        xLabel: 'epoch',
        yLabel: chart.key,
        logY: log && chart.logY,
        legendTitle: 'run',
        // Two side by side on a laptop screen.
        width: 620,
        height: 400,
        interactive: true,
      });
      void draw(figure, spec);
    }),
  );
}

function drawMatrix(): void {
  const m = data.matrix;
  const figure = document.querySelector<HTMLElement>('[data-matrix]');
  const select = document.getElementById('matrix-metric') as HTMLSelectElement | null;
  if (!m || !figure) return;
  const chosen = m.metrics.find((x) => x.metric === (select?.value ?? m.selected)) ?? m.metrics[0]!;
  const spec = heatmapSpec(chosen.values, chosen.sizes, chosen.activations, {
    title: `Dense autoencoders: ${chosen.metric}`,
    subtitle: chosen.higherIsBetter ? 'higher is better' : 'lower is better',
    rowTitle: 'size',
    colTitle: 'activation',
    colorLabel: chosen.metric,
    reverse: !chosen.higherIsBetter,
    cellNotes: chosen.notes,
    interactive: true,
  });
  void draw(figure, spec);
}

const table = document.getElementById('runs-table') as HTMLTableElement | null;
if (table) setUpTable(table);
drawCurves();
drawMatrix();
document.getElementById('log-scale')?.addEventListener('change', drawCurves);
document.getElementById('matrix-metric')?.addEventListener('change', drawMatrix);

// One sound at a time: starting a player pauses the one playing, so that A/B listening is a click away.
document.addEventListener(
  'play',
  (event) => {
    for (const audio of Array.from(document.querySelectorAll('audio'))) if (audio !== event.target) audio.pause();
  },
  true,
);
