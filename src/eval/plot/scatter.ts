/**
 * Scatter plot of 2-D points — the study's latent-space figures: thousands of small translucent dots, coloured by
 * a continuous feature (viridis with a colour bar) or by category (palette with a legend).
 */
import { beginChart, clipToArea, finishChart, type Chart } from './axes';
import { checkSide, createSurface, fontSizes, toPng } from './canvas';
import { colorBarWidth, drawColorBar, type ColorBarSpec } from './colorbar';
import { categoryColor, cssColor, viridis, type Rgb } from './colormap';
import { drawLegend, legendWidth, type LegendEntry } from './legend';
import { UserError } from '../../errors';

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
}

const MISSING: Rgb = [187, 187, 187];

export function scatterPng(points: ScatterPoints, opts: ScatterOptions): Uint8Array {
  return toPng(renderScatter(points, opts).surface);
}

export function renderScatter(points: ScatterPoints, opts: ScatterOptions): Chart {
  const width = checkSide('width', opts.width, 800);
  const height = checkSide('height', opts.height, 640);
  const xs = new Float64Array(points.length);
  const ys = new Float64Array(points.length);
  points.forEach((p, i) => {
    const [x, y] = coordinates(p, i);
    xs[i] = x;
    ys[i] = y;
  });
  if (opts.colors && opts.categories) throw new UserError('scatter plot: give either colors or categories, not both');
  if (opts.colors && opts.colors.length !== points.length) {
    throw new UserError(`scatter plot: ${opts.colors.length} colour values for ${points.length} points`);
  }
  if (opts.categories && opts.categories.length !== points.length) {
    throw new UserError(`scatter plot: ${opts.categories.length} categories for ${points.length} points`);
  }
  const n = points.length;
  const xDomain = opts.xRange ? checkRange('xRange', opts.xRange) : paddedExtent(xs);
  const yDomain = opts.yRange ? checkRange('yRange', opts.yRange) : paddedExtent(ys);

  const surface = createSurface(width, height);
  const fonts = fontSizes(width, height);
  const pointColors: Rgb[] = new Array<Rgb>(n);
  let bar: ColorBarSpec | undefined;
  let legend: LegendEntry[] | undefined;
  let rightReserve = 0;
  if (opts.colors) {
    const values = opts.colors;
    const [lo, hi] = finiteExtent(values);
    const span = hi - lo;
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      pointColors[i] = Number.isFinite(v) ? viridis(span > 0 ? (v - lo) / span : 0.5) : MISSING;
    }
    bar = { min: lo, max: hi > lo ? hi : lo + 1, label: opts.colorLabel, colormap: viridis };
    rightReserve = colorBarWidth(surface.ctx, fonts, bar);
  } else if (opts.categories) {
    // Categories keep the order of first appearance, so the legend follows the data (e.g. sorted folders).
    const index = new Map<string, number>();
    for (const c of opts.categories) if (!index.has(c)) index.set(c, index.size);
    legend = [...index.keys()].map((name, i) => ({ name, color: categoryColor(i) }));
    opts.categories.forEach((c, i) => (pointColors[i] = categoryColor(index.get(c) as number)));
    rightReserve = legendWidth(surface.ctx, fonts, legend, opts.legendTitle);
  } else {
    pointColors.fill(categoryColor(0));
  }

  const chart = beginChart(surface, {
    title: opts.title,
    subtitle: opts.subtitle,
    x: { domain: xDomain, label: opts.xLabel },
    y: { domain: yDomain, label: opts.yLabel },
    rightReserve,
  });
  const scale = fonts.tick / 11;
  const radius = opts.pointRadius ?? (n > 2000 ? 1.8 : n > 300 ? 2.5 : 3.5) * scale;
  const alpha = opts.alpha ?? (n > 2000 ? 0.55 : 0.8);
  clipToArea(chart, (ctx) => {
    for (const i of interleavedOrder(n)) {
      ctx.fillStyle = cssColor(pointColors[i] as Rgb, alpha);
      ctx.beginPath();
      ctx.arc(chart.x.toPx(xs[i] as number), chart.y.toPx(ys[i] as number), radius, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
  finishChart(chart);
  const right = chart.area.x + chart.area.width;
  if (bar) drawColorBar(surface.ctx, chart.fonts, right, chart.area.y, chart.area.height, bar);
  if (legend) drawLegend(surface.ctx, chart.fonts, right, chart.area.y, chart.area.height, legend, 'dot', opts.legendTitle);
  return chart;
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
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new UserError(`scatter plot: point ${i} is not finite (${String(x)}, ${String(y)})`);
  }
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
    const v = values[i] as number;
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
