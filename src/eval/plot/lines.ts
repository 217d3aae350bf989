/** Line chart: one line per series with a legend, linear or log y — the loss curves of training runs. */
import { beginChart, clipToArea, finishChart, type Chart } from './axes';
import { checkSide, createSurface, fontSizes, toPng } from './canvas';
import { categoryColor, cssColor } from './colormap';
import { drawLegend, legendWidth, type LegendEntry } from './legend';
import { UserError } from '../../errors';

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
}

/** Series with at most this many points get a dot per point, so short runs (a few epochs) show their samples. */
const MARKER_LIMIT = 50;

export function lineChartPng(series: readonly LineSeries[], opts: LineChartOptions): Uint8Array {
  return toPng(renderLineChart(series, opts).surface);
}

export function renderLineChart(series: readonly LineSeries[], opts: LineChartOptions): Chart {
  const width = checkSide('width', opts.width, 800);
  const height = checkSide('height', opts.height, 500);
  const logY = opts.logY === true;
  series.forEach((s, i) => {
    if (s.x.length !== s.y.length) {
      throw new UserError(`line chart: series ${i} ("${s.name}") has ${s.x.length} x values and ${s.y.length} y values`);
    }
  });
  const usable = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i] as number;
      const y = s.y[i] as number;
      if (!usable(x, y)) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  const hasData = x0 <= x1;
  if (!hasData && logY && series.some((s) => s.y.length > 0)) {
    throw new UserError('line chart: a log y axis needs values > 0, and no series has any');
  }
  // 3% margins keep the end points and their markers off the frame.
  const xDomain: [number, number] = hasData ? linearPad(x0, x1, 0.03) : [0, 1];
  const yDomain: [number, number] = !hasData ? (logY ? [0.1, 1] : [0, 1]) : logY ? logPad(y0, y1) : linearPad(y0, y1, 0.05);
  const integerX = series.every((s) => Array.prototype.every.call(s.x, (v: number) => !Number.isFinite(v) || Number.isInteger(v)));

  const surface = createSurface(width, height);
  const fonts = fontSizes(width, height);
  const legend: LegendEntry[] = series.map((s, i) => ({ name: s.name, color: categoryColor(i) }));
  const chart = beginChart(surface, {
    title: opts.title,
    subtitle: opts.subtitle,
    x: { domain: xDomain, label: opts.xLabel, integer: integerX },
    y: { domain: yDomain, label: opts.yLabel, log: logY },
    rightReserve: series.length > 0 ? legendWidth(surface.ctx, fonts, legend, opts.legendTitle) : 0,
  });
  const lineWidth = Math.max(1.5, 2 * (fonts.tick / 11));
  clipToArea(chart, (ctx) => {
    series.forEach((s, si) => {
      const color = cssColor(categoryColor(si));
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = lineWidth;
      ctx.lineJoin = 'round';
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.x.length; i++) {
        const x = s.x[i] as number;
        const y = s.y[i] as number;
        if (!usable(x, y)) {
          pen = false; // a NaN loss (diverged run) or a non-positive value on a log axis: a gap, not a line to 0
          continue;
        }
        const px = chart.x.toPx(x);
        const py = chart.y.toPx(y);
        if (pen) ctx.lineTo(px, py);
        else ctx.moveTo(px, py);
        pen = true;
      }
      ctx.stroke();
      if (s.x.length <= MARKER_LIMIT) {
        for (let i = 0; i < s.x.length; i++) {
          const x = s.x[i] as number;
          const y = s.y[i] as number;
          if (!usable(x, y)) continue;
          ctx.beginPath();
          ctx.arc(chart.x.toPx(x), chart.y.toPx(y), lineWidth * 1.4, 0, 2 * Math.PI);
          ctx.fill();
        }
      }
    });
  });
  finishChart(chart);
  if (series.length > 0) {
    drawLegend(surface.ctx, chart.fonts, chart.area.x + chart.area.width, chart.area.y, chart.area.height, legend, 'line', opts.legendTitle);
  }
  return chart;
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
