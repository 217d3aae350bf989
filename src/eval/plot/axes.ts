/**
 * The frame of the raster plots (waveform, spectrogram): margins sized to the measured tick labels, linear data →
 * pixel scales, grid, frame, ticks, axis labels, title and subtitle. Charts (lines, scatter, heatmap) are
 * Vega-Lite specifications (src/eval/chart); these plots are images painted pixel by pixel (an envelope per pixel
 * column, an STFT per pixel), which `generate --plots` writes for every sample it decodes, so they stay on the
 * canvas, at a few milliseconds each, in the same style.
 */
import { font, fontSizes, fitText, STYLE, type Ctx, type FontSizes, type Rect, type Surface } from './canvas';
import { formatTick, niceStep, niceTicks } from './ticks';

export interface AxisSpec {
  /** Data values at the two ends of the axis (left→right, bottom→top). */
  domain: [number, number];
  label?: string;
  /** Tick positions; by default nice numbers for the axis length. */
  ticks?: number[];
  format?: (value: number) => string;
  /** Only whole-number ticks (epochs, sizes): no "1.5" between epoch 1 and 2. */
  integer?: boolean;
}

export interface ChartSpec {
  title?: string;
  subtitle?: string;
  x: AxisSpec;
  y: AxisSpec;
  /** Pixels kept free right of the plot area, for a legend or a colour bar. */
  rightReserve?: number;
  /** Light grid lines at the ticks (default true). */
  grid?: boolean;
}

export interface Chart {
  surface: Surface;
  fonts: FontSizes;
  /** The plot area in pixels: data is drawn inside it, decorations outside. */
  area: Rect;
  x: ResolvedAxis;
  y: ResolvedAxis;
  spec: ChartSpec;
}

export interface ResolvedAxis {
  domain: [number, number];
  ticks: number[];
  labels: string[];
  /** Data value → pixel coordinate (x: from the left edge, y: from the top edge of the figure). */
  toPx: (value: number) => number;
}

const TICK_LEN = 5;

/** Lays the chart out on the surface and paints the plot area's background and grid; draw the data next, then finishChart. */
export function beginChart(surface: Surface, spec: ChartSpec): Chart {
  const { ctx, width, height } = surface;
  const fonts = fontSizes(width, height);
  const pad = Math.round(fonts.label * 0.9);

  const top = pad + (spec.title ? fonts.title * 1.3 : 0) + (spec.subtitle ? fonts.subtitle * 1.4 : 0) + (spec.title || spec.subtitle ? pad * 0.6 : 0);
  const bottom = pad + TICK_LEN + 4 + fonts.tick * 1.2 + (spec.x.label ? fonts.label * 1.5 : 0);
  const right = pad + (spec.rightReserve ?? 0) + fonts.tick; // room for the last x tick label's overhang
  const areaHeight = Math.max(10, height - top - bottom);

  const yDomain = widen(spec.y.domain);
  const yTarget = clamp(Math.round(areaHeight / (fonts.tick * 4.5)), 2, 10);
  const yTicks = axisTicks(spec.y, yDomain, yTarget);
  ctx.font = font(fonts.tick);
  const yLabelWidth = Math.max(0, ...yTicks.labels.map((l) => ctx.measureText(l).width));
  const left = pad + (spec.y.label ? fonts.label * 1.5 : 0) + yLabelWidth + TICK_LEN + 6;
  const areaWidth = Math.max(10, width - left - right);

  const xDomain = widen(spec.x.domain);
  // Fewer x ticks until their labels no longer crowd each other.
  let xTarget = clamp(Math.round(areaWidth / (fonts.tick * 8)), 2, 10);
  let xTicks = axisTicks(spec.x, xDomain, xTarget);
  while (xTarget > 2 && spec.x.ticks === undefined) {
    const widest = Math.max(0, ...xTicks.labels.map((l) => ctx.measureText(l).width));
    if ((widest + fonts.tick * 1.5) * xTicks.ticks.length <= areaWidth) break;
    xTarget -= 1;
    xTicks = axisTicks(spec.x, xDomain, xTarget);
  }

  const area: Rect = { x: Math.round(left), y: Math.round(top), width: Math.round(areaWidth), height: Math.round(areaHeight) };
  const chart: Chart = {
    surface,
    fonts,
    area,
    spec,
    x: { domain: xDomain, ...xTicks, toPx: scale(xDomain, area.x, area.x + area.width) },
    y: { domain: yDomain, ...yTicks, toPx: scale(yDomain, area.y + area.height, area.y) },
  };

  ctx.fillStyle = STYLE.plotBackground;
  ctx.fillRect(area.x, area.y, area.width, area.height);
  if (spec.grid !== false) drawGrid(ctx, chart);
  return chart;
}

/** Runs `draw` with drawing clipped to the plot area, so data outside the axis ranges cannot spill onto the labels. */
export function clipToArea(chart: Chart, draw: (ctx: Ctx) => void): void {
  const { ctx } = chart.surface;
  ctx.save();
  ctx.beginPath();
  ctx.rect(chart.area.x, chart.area.y, chart.area.width, chart.area.height);
  ctx.clip();
  draw(ctx);
  ctx.restore();
}

/** Frame, ticks, tick labels, axis labels and titles, drawn over the data. */
export function finishChart(chart: Chart): void {
  const { ctx } = chart.surface;
  const { area, fonts, spec } = chart;
  ctx.save();
  ctx.strokeStyle = STYLE.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(area.x + 0.5, area.y + 0.5, area.width - 1, area.height - 1);

  ctx.font = font(fonts.tick);
  ctx.fillStyle = STYLE.text;
  ctx.beginPath();
  // x ticks and labels
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  chart.x.ticks.forEach((t, i) => {
    const px = Math.round(chart.x.toPx(t)) + 0.5;
    ctx.moveTo(px, area.y + area.height);
    ctx.lineTo(px, area.y + area.height + TICK_LEN);
    ctx.fillText(chart.x.labels[i] ?? '', px, area.y + area.height + TICK_LEN + 3);
  });
  // y ticks and labels
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  chart.y.ticks.forEach((t, i) => {
    const py = Math.round(chart.y.toPx(t)) + 0.5;
    ctx.moveTo(area.x, py);
    ctx.lineTo(area.x - TICK_LEN, py);
    ctx.fillText(chart.y.labels[i] ?? '', area.x - TICK_LEN - 3, py);
  });
  ctx.stroke();

  ctx.font = font(fonts.label);
  if (spec.x.label) {
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(fitText(ctx, spec.x.label, area.width), area.x + area.width / 2, chart.surface.height - Math.round(fonts.label * 0.6));
  }
  if (spec.y.label) {
    ctx.save();
    ctx.translate(Math.round(fonts.label * 0.6), area.y + area.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(fitText(ctx, spec.y.label, area.height), 0, 0);
    ctx.restore();
  }
  drawTitles(chart.surface, fonts, spec.title, spec.subtitle, area.x + area.width / 2);
  ctx.restore();
}

/** Title (bold) and subtitle (muted) centred on `centerX` at the top of the figure. */
export function drawTitles(surface: Surface, fonts: FontSizes, title: string | undefined, subtitle: string | undefined, centerX: number): void {
  const { ctx, width } = surface;
  const pad = Math.round(fonts.label * 0.9);
  ctx.save();
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  let y = pad;
  // Keep the text inside the figure even when centred on an off-centre plot area.
  const maxWidth = width - 2 * pad;
  const cx = (w: number) => Math.min(width - pad - w / 2, Math.max(pad + w / 2, centerX));
  if (title) {
    ctx.font = font(fonts.title, 'bold');
    ctx.fillStyle = STYLE.text;
    const t = fitText(ctx, title, maxWidth);
    ctx.fillText(t, cx(ctx.measureText(t).width), y);
    y += fonts.title * 1.3;
  }
  if (subtitle) {
    ctx.font = font(fonts.subtitle);
    ctx.fillStyle = STYLE.mutedText;
    const t = fitText(ctx, subtitle, maxWidth);
    ctx.fillText(t, cx(ctx.measureText(t).width), y);
  }
  ctx.restore();
}

/** Height in pixels that drawTitles takes (with its padding below), for layouts without axes. */
export function titlesHeight(fonts: FontSizes, title?: string, subtitle?: string): number {
  const pad = Math.round(fonts.label * 0.9);
  return pad + (title ? fonts.title * 1.3 : 0) + (subtitle ? fonts.subtitle * 1.4 : 0) + (title || subtitle ? pad * 0.6 : 0);
}

function drawGrid(ctx: Ctx, chart: Chart): void {
  const { area } = chart;
  ctx.save();
  ctx.strokeStyle = STYLE.grid;
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const t of chart.x.ticks) {
    const px = Math.round(chart.x.toPx(t)) + 0.5;
    ctx.moveTo(px, area.y);
    ctx.lineTo(px, area.y + area.height);
  }
  for (const t of chart.y.ticks) {
    const py = Math.round(chart.y.toPx(t)) + 0.5;
    ctx.moveTo(area.x, py);
    ctx.lineTo(area.x + area.width, py);
  }
  ctx.stroke();
  ctx.restore();
}

function axisTicks(spec: AxisSpec, domain: [number, number], target: number): { ticks: number[]; labels: string[] } {
  let ticks = spec.ticks ?? niceTicks(domain[0], domain[1], target);
  if (spec.integer && spec.ticks === undefined) ticks = ticks.filter((t) => Number.isInteger(t));
  const step = ticks.length > 1 ? Math.abs((ticks[1] as number) - (ticks[0] as number)) : niceStep(domain[0], domain[1], target);
  const format = spec.format ?? ((v: number) => formatTick(v, step));
  return { ticks, labels: ticks.map(format) };
}

/** A linear data → pixel map. */
export function scale(domain: [number, number], r0: number, r1: number): (v: number) => number {
  const [d0, d1] = domain;
  const k = (r1 - r0) / (d1 - d0);
  return (v: number) => r0 + (v - d0) * k;
}

/** A zero-width domain made usable so that scales never divide by zero. */
function widen(domain: [number, number]): [number, number] {
  const [a, b] = domain;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [0, 1];
  if (a === b) return a === 0 ? [-1, 1] : [a - Math.abs(a) * 0.5, b + Math.abs(b) * 0.5];
  return [a, b];
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
