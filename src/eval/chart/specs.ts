/**
 * Charts as Vega-Lite specifications: line charts (loss curves), scatter plots (latent maps) and labelled heatmaps
 * (the study's size × activation matrix). One specification per chart serves both outputs: `render.ts` turns it
 * into the PNG the CLI writes, and the report page (src/report/page) hands the same specification to vega-embed,
 * with `interactive` adding hover tooltips and legend toggles. Axes, ticks, legends and colour bars are
 * vega's; this module only says what to draw.
 *
 * Pure functions without Node modules, so that the page bundles them.
 */
import { UserError } from '../../errors';
import { categoryColor as categoryRgb, cssColor, luminance, viridis } from '../plot/colormap';
import { decimalsFor, niceStep } from '../plot/ticks';

/** A Vega-Lite specification (the JSON object vega-lite's `compile` takes). */
export type ChartSpec = Record<string, unknown>;

/** DejaVu Sans ships with most Linux distributions; the others are the fallbacks of other systems and browsers. */
export const FONT_FAMILY = ['DejaVu Sans', 'Helvetica Neue', 'Helvetica', 'Arial', 'sans-serif'] as const;
const FONT = FONT_FAMILY.map((f) => (f.includes(' ') ? `"${f}"` : f)).join(', ');

const COLORS = {
  text: '#222222',
  mutedText: '#666666',
  axis: '#444444',
  grid: '#e6e6e6',
  missing: '#eeeeee',
  missingPoint: '#bbbbbb',
};

/** The smallest and largest figure side accepted: below, nothing is readable; above, memory explodes. */
export const MIN_SIDE = 64;
export const MAX_SIDE = 8192;

/** A figure dimension from options: a whole number of pixels in [MIN_SIDE, MAX_SIDE], or a UserError naming the option. */
export function checkSide(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < MIN_SIDE || v > MAX_SIDE) {
    throw new UserError(`plot option ${name} must be a whole number of pixels from ${MIN_SIDE} to ${MAX_SIDE}, got ${String(value)}`);
  }
  return v;
}

/** Font sizes in pixels for a figure of the given size: larger figures get proportionally larger text. */
export function fontSizes(width: number, height: number): { title: number; subtitle: number; label: number; tick: number } {
  const s = Math.min(2.5, Math.max(0.75, Math.min(width / 800, height / 500)));
  return { title: Math.round(17 * s), subtitle: Math.round(12 * s), label: Math.round(14 * s), tick: Math.round(12 * s) };
}

/** The colour of category `index` (colormap.ts: Tableau 10, then golden-angle hues) as CSS. */
export function categoryColor(index: number): string {
  return cssColor(categoryRgb(index));
}

/** The figure: its exact size in pixels (titles, axes and legends inside it), fonts and colours. */
function frame(width: number, height: number, title: string | undefined, subtitle: string | undefined): ChartSpec {
  const f = fontSizes(width, height);
  const pad = Math.round(f.label * 0.9);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width,
    height,
    autosize: { type: 'fit', contains: 'padding' },
    padding: pad,
    background: '#ffffff',
    ...(title ? { title: { text: title, ...(subtitle ? { subtitle } : {}) } } : {}),
    config: {
      font: FONT,
      title: {
        fontSize: f.title,
        fontWeight: 'bold',
        color: COLORS.text,
        subtitleFontSize: f.subtitle,
        subtitleColor: COLORS.mutedText,
        subtitlePadding: Math.round(f.subtitle * 0.3),
        anchor: 'middle',
        offset: Math.round(f.title * 0.6),
      },
      axis: {
        labelFontSize: f.tick,
        titleFontSize: f.label,
        titleFontWeight: 'normal',
        labelColor: COLORS.text,
        titleColor: COLORS.text,
        domainColor: COLORS.axis,
        tickColor: COLORS.axis,
        gridColor: COLORS.grid,
        titlePadding: Math.round(f.label * 0.6),
        labelFlush: false,
      },
      // Vega's default of a tick every 40 px crowds horizontal labels ("-0.9 -0.8 -0.7 …").
      axisX: { tickCount: { expr: `ceil(width / ${Math.round(f.tick * 7)})` } },
      legend: {
        labelFontSize: f.tick,
        titleFontSize: f.tick,
        titleColor: COLORS.text,
        labelColor: COLORS.text,
        labelLimit: f.tick * 18,
        titleLimit: f.tick * 18,
        rowPadding: Math.round(f.tick * 0.35),
      },
      view: { stroke: COLORS.axis },
    },
  };
}

/**
 * How many legend rows fit beside a plot of this figure; vega writes "…N entries" for the rest rather than
 * drawing the legend past the figure's edge.
 */
function legendRows(height: number, title: string | undefined, subtitle: string | undefined): number {
  const f = fontSizes(800, height);
  const titles = title ? f.title * 1.8 + (subtitle ? f.subtitle * 1.4 : 0) : 0;
  const room = height - titles - f.tick * 2 - 2 * Math.round(f.label * 0.9);
  return Math.max(2, Math.floor(room / (f.tick + Math.round(f.tick * 0.35) + 1)) - 1);
}

// --------------------------------------------------------------------------------------------------------------
// Line chart
// --------------------------------------------------------------------------------------------------------------

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  /** Logarithmic y axis (losses spanning decades); values ≤ 0 are left out as gaps. */
  logY?: boolean;
  legendTitle?: string;
  /** Figure size in pixels (default 800 × 500). */
  width?: number;
  height?: number;
  /** For the page: tooltips on hover, and clicking a legend entry shows that series alone (shift-click adds). */
  interactive?: boolean;
}

/** Series with at most this many points get a dot per point, so short runs (a few epochs) show their samples. */
export const MARKER_LIMIT = 50;

export function lineChartSpec(series: readonly LineSeries[], opts: LineChartOptions): ChartSpec {
  const width = checkSide('width', opts.width, 800);
  const height = checkSide('height', opts.height, 500);
  const logY = opts.logY === true;
  series.forEach((s, i) => {
    if (s.x.length !== s.y.length) {
      throw new UserError(`line chart: series ${i} ("${s.name}") has ${s.x.length} x values and ${s.y.length} y values`);
    }
  });
  const usable = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
  // Unique names: the series are told apart by name (colour, legend, toggles).
  const seen = new Map<string, number>();
  const names = series.map((s) => {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    return n === 1 ? s.name : `${s.name} (${n})`;
  });
  const values: { series: string; x: number; y: number | null }[] = [];
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  let integerX = true;
  series.forEach((s, si) => {
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i]!;
      const y = s.y[i]!;
      if (!Number.isFinite(x)) continue;
      if (!Number.isInteger(x)) integerX = false;
      // A NaN loss (diverged run) or a non-positive value on a log axis: a gap in the line, not a line to 0.
      const ok = usable(x, y);
      values.push({ series: names[si]!, x, y: ok ? y : null });
      if (!ok) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  });
  const hasData = x0 <= x1;
  if (!hasData && logY && series.some((s) => s.y.length > 0)) {
    throw new UserError('line chart: a log y axis needs values > 0, and no series has any');
  }
  // 3% margins keep the end points and their markers off the frame.
  const xDomain = hasData ? linearPad(x0, x1, 0.03) : [0, 1];
  const yDomain = !hasData ? (logY ? [0.1, 1] : [0, 1]) : logY ? logPad(y0, y1) : linearPad(y0, y1, 0.05);
  const f = fontSizes(width, height);
  const lineWidth = Math.max(1.5, 2 * (f.tick / 11));
  const markers = series.every((s) => s.x.length <= MARKER_LIMIT);
  const interactive = opts.interactive === true;

  const color = {
    field: 'series',
    type: 'nominal',
    scale: { domain: names, range: names.map((_, i) => categoryColor(i)) },
    legend: names.length === 0 ? null : { title: opts.legendTitle ?? null, symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolLimit: legendRows(height, opts.title, opts.subtitle) },
  };
  const x = {
    field: 'x',
    type: 'quantitative',
    title: opts.xLabel,
    scale: { domain: xDomain, nice: false, zero: false },
    axis: integerX ? { format: 'd', tickMinStep: 1 } : {},
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: opts.yLabel,
    scale: logY ? { type: 'log', domain: yDomain, nice: false } : { type: 'linear', domain: yDomain, nice: false, zero: false },
  };
  const picked = { condition: { param: 'pick', value: 1 }, value: 0.12 };
  const layers: ChartSpec[] = [
    {
      mark: { type: 'line', strokeWidth: lineWidth, strokeJoin: 'round', clip: true, invalid: 'break-paths-filter-domains' },
      ...(interactive ? { params: [{ name: 'pick', select: { type: 'point', fields: ['series'] }, bind: 'legend' }] } : {}),
      encoding: { x, y, color, ...(interactive ? { opacity: picked } : {}) },
    },
  ];
  if (markers || interactive) {
    // The page always has points to hover (invisible on long series); the PNG has them only on short series.
    const hover = { name: 'hover', select: { type: 'point', fields: ['series', 'x'], nearest: true, on: 'pointerover', clear: 'pointerout' } };
    layers.push({
      mark: { type: 'circle', size: Math.PI * (lineWidth * 1.4) ** 2, clip: true, invalid: 'filter' },
      ...(interactive ? { params: [hover] } : {}),
      encoding: {
        x,
        y,
        color,
        ...(interactive
          ? {
              opacity: markers
                ? { condition: { param: 'pick', value: 1 }, value: 0.12 }
                : { condition: { param: 'hover', empty: false, value: 1 }, value: 0 },
              size: { condition: { param: 'hover', empty: false, value: Math.PI * (lineWidth * 2.6) ** 2 }, value: Math.PI * (lineWidth * 1.4) ** 2 },
              tooltip: [
                { field: 'series', title: opts.legendTitle ?? 'series' },
                { field: 'x', title: opts.xLabel, format: integerX ? 'd' : '.4~g' },
                { field: 'y', title: opts.yLabel, format: '.4~g' },
              ],
            }
          : { opacity: { value: 1 } }),
      },
    });
  }
  return { ...frame(width, height, opts.title, opts.subtitle), data: { values }, layer: layers };
}

/** [lo, hi] widened by `fraction` of its span on each side (a constant series by 1 either way). */
function linearPad(lo: number, hi: number, fraction: number): [number, number] {
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * fraction;
  return [lo - pad, hi + pad];
}

/** [lo, hi] widened by 5% of its log span on each side (a constant series gets a factor of 2 either way). */
function logPad(lo: number, hi: number): [number, number] {
  if (lo === hi) return [lo / 2, hi * 2];
  const span = Math.log10(hi) - Math.log10(lo);
  return [lo / Math.pow(10, span * 0.05), hi * Math.pow(10, span * 0.05)];
}

// --------------------------------------------------------------------------------------------------------------
// Scatter plot
// --------------------------------------------------------------------------------------------------------------

export type ScatterPoints = ReadonlyArray<{ x: number; y: number }> | ReadonlyArray<ArrayLike<number>>;

export interface ScatterOptions {
  title: string;
  /** A line under the title, e.g. "PCA projection of 8-D latent". */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  /** One number per point, mapped to viridis with a colour bar; non-finite values are drawn grey. */
  colors?: ArrayLike<number>;
  /** Label of the colour bar (e.g. "Spectral centroid (Hz)"). */
  colorLabel?: string;
  /** One category per point (e.g. source folder), each with its own colour and a legend row. */
  categories?: readonly string[];
  legendTitle?: string;
  /** Axis ranges (e.g. the model's latent bounds); default: the data's extent plus 5%. */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Figure size in pixels (default 800 × 640). */
  width?: number;
  height?: number;
  /** Dot radius in pixels and opacity; defaults depend on the number of points. */
  pointRadius?: number;
  alpha?: number;
  /** For the page: each point's value on hover, and clicking a legend entry shows that category alone. */
  interactive?: boolean;
}

export function scatterSpec(points: ScatterPoints, opts: ScatterOptions): ChartSpec {
  const width = checkSide('width', opts.width, 800);
  const height = checkSide('height', opts.height, 640);
  const n = points.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  points.forEach((p, i) => {
    const [x, y] = coordinates(p, i);
    xs[i] = x;
    ys[i] = y;
  });
  if (opts.colors && opts.categories) throw new UserError('scatter plot: give either colors or categories, not both');
  if (opts.colors && opts.colors.length !== n) throw new UserError(`scatter plot: ${opts.colors.length} colour values for ${n} points`);
  if (opts.categories && opts.categories.length !== n) throw new UserError(`scatter plot: ${opts.categories.length} categories for ${n} points`);
  const xDomain = opts.xRange ? checkRange('xRange', opts.xRange) : paddedExtent(xs);
  const yDomain = opts.yRange ? checkRange('yRange', opts.yRange) : paddedExtent(ys);
  const f = fontSizes(width, height);
  const scale = f.tick / 11;
  const radius = opts.pointRadius ?? (n > 2000 ? 1.8 : n > 300 ? 2.5 : 3.5) * scale;
  const alpha = opts.alpha ?? (n > 2000 ? 0.55 : 0.8);
  const interactive = opts.interactive === true;

  let color: ChartSpec = { value: categoryColor(0) };
  let colorValue: (i: number) => number | string | null = () => null;
  if (opts.colors) {
    const values = opts.colors;
    colorValue = (i) => (Number.isFinite(values[i]!) ? values[i]! : null);
    const [lo, hi] = finiteExtent(values);
    color = {
      // Points without a value (a feature that could not be measured) are grey, not the low end of the scale.
      condition: { test: 'datum.c === null', value: COLORS.missingPoint },
      field: 'c',
      type: 'quantitative',
      scale: { type: 'linear', scheme: 'viridis', domain: [lo, hi > lo ? hi : lo + 1], nice: false, zero: false },
      legend: { title: opts.colorLabel ?? null, ...colorBar(height, f, lo, hi > lo ? hi : lo + 1) },
    };
  } else if (opts.categories) {
    const cats = opts.categories;
    colorValue = (i) => cats[i]!;
    // Categories keep the order of first appearance, so the legend follows the data (e.g. sorted folders).
    const domain = [...new Set(cats)];
    color = {
      field: 'c',
      type: 'nominal',
      scale: { domain, range: domain.map((_, i) => categoryColor(i)) },
      legend: { title: opts.legendTitle ?? null, symbolType: 'circle', symbolOpacity: 1, symbolLimit: legendRows(height, opts.title, opts.subtitle) },
    };
  }
  const values = interleavedOrder(n).map((i) => ({ x: xs[i]!, y: ys[i]!, c: colorValue(i), i }));
  const categorical = Boolean(opts.categories);
  return {
    ...frame(width, height, opts.title, opts.subtitle),
    data: { values },
    mark: { type: 'circle', size: Math.PI * radius * radius, clip: true, strokeWidth: 0, invalid: 'show' },
    ...(interactive && categorical ? { params: [{ name: 'pick', select: { type: 'point', fields: ['c'] }, bind: 'legend' }] } : {}),
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xLabel, scale: { domain: xDomain, nice: false, zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yLabel, scale: { domain: yDomain, nice: false, zero: false } },
      color,
      opacity: interactive && categorical ? { condition: { param: 'pick', value: alpha }, value: 0.05 } : { value: alpha },
      ...(interactive
        ? {
            tooltip: [
              { field: 'x', title: opts.xLabel, format: '.3~g' },
              { field: 'y', title: opts.yLabel, format: '.3~g' },
              ...(opts.colors ? [{ field: 'c', title: opts.colorLabel ?? 'value', format: '.4~g' }] : []),
              ...(categorical ? [{ field: 'c', title: opts.legendTitle ?? 'category' }] : []),
            ],
          }
        : {}),
    },
  };
}

/** A colour bar as tall as the plot, its title along it (as a y axis title reads), like a matplotlib colour bar. */
function colorBar(height: number, f: ReturnType<typeof fontSizes>, lo: number, hi: number): ChartSpec {
  const count = Math.max(2, Math.min(8, Math.round(height / (f.tick * 6))));
  return {
    gradientLength: { expr: 'height' },
    gradientThickness: 16,
    titleOrient: 'right',
    titleAnchor: 'middle',
    format: barFormat(lo, hi, count),
    titleFontSize: f.label,
    titleFontWeight: 'normal',
    titlePadding: Math.round(f.tick * 0.6),
    titleLimit: height,
    tickCount: count,
    labelFontSize: f.tick,
    gradientStrokeColor: COLORS.axis,
    gradientStrokeWidth: 1,
  };
}

/** One number format for every label of a colour bar: as many decimals as its tick step needs (0.030, 0.028 …), no digit grouping. */
function barFormat(lo: number, hi: number, count: number): string {
  const top = Math.max(Math.abs(lo), Math.abs(hi));
  if (top !== 0 && (top >= 1e6 || top < 1e-3)) return '.2~e';
  return `.${Math.min(20, decimalsFor(niceStep(lo, hi, count)))}f`;
}

function coordinates(p: { x: number; y: number } | ArrayLike<number>, i: number): [number, number] {
  let x: number | undefined;
  let y: number | undefined;
  if ('x' in p && 'y' in p && typeof (p as { x: unknown }).x === 'number') {
    ({ x, y } = p as { x: number; y: number });
  } else {
    const a = p as ArrayLike<number>;
    if (a.length < 2) throw new UserError(`scatter plot: point ${i} has ${a.length} coordinate(s), need 2`);
    x = a[0];
    y = a[1];
  }
  if (!Number.isFinite(x) || !Number.isFinite(y)) throw new UserError(`scatter plot: point ${i} is not finite (${String(x)}, ${String(y)})`);
  return [x as number, y as number];
}

function checkRange(name: string, r: [number, number]): [number, number] {
  if (!Number.isFinite(r[0]) || !Number.isFinite(r[1]) || !(r[1] > r[0])) {
    throw new UserError(`scatter plot option ${name} must be [min, max] with min < max, got [${r.join(', ')}]`);
  }
  return r;
}

/** Data extent widened by 5% on each side, so edge points are not cut in half by the frame. */
export function paddedExtent(values: ArrayLike<number>): [number, number] {
  const [lo, hi] = finiteExtent(values);
  if (!(hi > lo)) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function finiteExtent(values: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/**
 * The order points are drawn in: index i·g mod n for a stride g coprime to n near n/φ. Data usually arrives
 * grouped (files sorted by folder), and drawing it in that order would bury the first groups under the last;
 * a fixed stride mixes them without a random generator, so the same data always gives the same image.
 */
export function interleavedOrder(n: number): number[] {
  if (n <= 2) return Array.from({ length: n }, (_, i) => i);
  let g = Math.max(1, Math.round(n / 1.618033988749895));
  while (gcd(g, n) !== 1) g++;
  return Array.from({ length: n }, (_, i) => (i * g) % n);
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// --------------------------------------------------------------------------------------------------------------
// Heatmap
// --------------------------------------------------------------------------------------------------------------

export interface HeatmapOptions {
  title: string;
  subtitle?: string;
  /** Text written in a cell (default: 3 significant digits). */
  valueFormat?: (value: number) => string;
  /** Labels of the row and column variables (e.g. "Latent size", "Activation"). */
  rowTitle?: string;
  colTitle?: string;
  colorLabel?: string;
  /** Reverse the colour map, e.g. so that a low loss gets the bright end. */
  reverse?: boolean;
  /** Figure size in pixels (default 640 × 480). */
  width?: number;
  height?: number;
  /** Extra lines of a cell's tooltip on the page (e.g. how many runs it is the best of), cellNotes[row][col]. */
  cellNotes?: ReadonlyArray<ReadonlyArray<string>>;
  interactive?: boolean;
}

/** The study's size × activation table as a heatmap, each value written in its cell; missing cells grey with a dash. */
export function heatmapSpec(matrix: ReadonlyArray<ReadonlyArray<number | null>>, rowLabels: readonly string[], colLabels: readonly string[], opts: HeatmapOptions): ChartSpec {
  const width = checkSide('width', opts.width, 640);
  const height = checkSide('height', opts.height, 480);
  if (matrix.length !== rowLabels.length) throw new UserError(`heatmap: ${matrix.length} rows but ${rowLabels.length} row labels`);
  if (colLabels.length === 0 || rowLabels.length === 0) throw new UserError('heatmap: needs at least one row and one column');
  matrix.forEach((row, r) => {
    if (row.length !== colLabels.length) {
      throw new UserError(`heatmap: row ${r} ("${rowLabels[r]}") has ${row.length} values but there are ${colLabels.length} column labels`);
    }
  });
  const format = opts.valueFormat ?? formatValue;
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of matrix) {
    for (const v of row) {
      if (v === null || !Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  const span = hi - lo;
  const values = matrix.flatMap((row, r) =>
    row.map((v, c) => {
      const missing = v === null || !Number.isFinite(v);
      // Text in black on the bright end of viridis, white on the dark end (WCAG luminance of the cell's colour).
      const t = missing ? 0 : span > 0 ? (v! - lo) / span : 0.5;
      const light = luminance(viridis(opts.reverse ? 1 - t : t)) > 0.4;
      return {
        row: rowLabels[r]!,
        col: colLabels[c]!,
        value: missing ? null : v,
        label: missing ? '—' : format(v!),
        ink: missing ? COLORS.mutedText : light ? '#111111' : '#ffffff',
        note: opts.cellNotes?.[r]?.[c] ?? '',
      };
    }),
  );
  const f = fontSizes(width, height);
  // The plot takes roughly what is left of the figure beside the labels and the colour bar.
  const cellW = (width * 0.72) / colLabels.length;
  const cellH = (height * 0.72) / rowLabels.length;
  const valueFont = Math.max(9, Math.min(Math.round(f.label * 1.3), Math.round(cellH * 0.3), Math.round(cellW * 0.18)));
  const x = { field: 'col', type: 'ordinal', sort: [...colLabels], title: opts.colTitle ?? null, axis: { labelAngle: 0, ticks: false, domain: false, labelPadding: 6 } };
  const y = { field: 'row', type: 'ordinal', sort: [...rowLabels], title: opts.rowTitle ?? null, axis: { ticks: false, domain: false, labelPadding: 8 } };
  const interactive = opts.interactive === true;
  const base = frame(width, height, opts.title, opts.subtitle);
  const config = base.config as { axis: ChartSpec; view: ChartSpec };
  // Row and column names read as table headings: the size of axis titles, no frame, no grid.
  config.axis = { ...config.axis, labelFontSize: f.label, grid: false };
  config.view = { stroke: null };
  const tooltip = interactive
    ? [
        { field: 'row', title: opts.rowTitle ?? 'row' },
        { field: 'col', title: opts.colTitle ?? 'column' },
        { field: 'label', title: opts.colorLabel ?? 'value' },
        ...(opts.cellNotes ? [{ field: 'note', title: 'runs' }] : []),
      ]
    : undefined;
  return {
    ...base,
    data: { values },
    encoding: { x, y },
    layer: [
      {
        // White separators between cells read as a table rather than as one blurred image.
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 2, invalid: 'show' },
        encoding: {
          color: {
            condition: { test: 'datum.value === null', value: COLORS.missing },
            field: 'value',
            type: 'quantitative',
            scale: { scheme: 'viridis', reverse: opts.reverse === true, domain: [lo, hi > lo ? hi : lo + 1], nice: false, zero: false },
            legend: { title: opts.colorLabel ?? null, ...colorBar(height, f, lo, hi > lo ? hi : lo + 1) },
          },
          ...(tooltip ? { tooltip } : {}),
        },
      },
      {
        mark: { type: 'text', fontSize: valueFont, fontWeight: 'bold', baseline: 'middle', align: 'center' },
        encoding: { text: { field: 'label' }, fill: { field: 'ink', type: 'nominal', scale: null }, ...(tooltip ? { tooltip } : {}) },
      },
    ],
  };
}

/** Three significant digits; whole numbers from 1000 up; exponent form below 0.001 so cells stay narrow. */
export function formatValue(v: number): string {
  const abs = Math.abs(v);
  if (v === 0) return '0';
  if (abs >= 1000) return v.toFixed(0);
  if (abs < 1e-3) {
    const [m, e] = v.toExponential(2).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  return Number.parseFloat(v.toPrecision(3)).toString();
}
