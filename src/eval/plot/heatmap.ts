/**
 * Heatmap of a small labelled matrix with each value written in its cell — the study's size × activation table
 * of a metric. Missing cells (null, or a metric that came out NaN) are grey with a dash.
 */
import { drawTitles, titlesHeight } from './axes';
import { checkSide, createSurface, fitText, font, fontSizes, STYLE, toPng, type Rect, type Surface } from './canvas';
import { colorBarWidth, drawColorBar, type ColorBarSpec } from './colorbar';
import { cssColor, luminance, viridis } from './colormap';
import { formatExponent } from './ticks';
import { UserError } from '../../errors';

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
}

export interface RenderedHeatmap {
  surface: Surface;
  /** Cell rectangles in pixels, cells[row][col]. */
  cells: Rect[][];
}

export function heatmapPng(matrix: ReadonlyArray<ReadonlyArray<number | null>>, rowLabels: readonly string[], colLabels: readonly string[], opts: HeatmapOptions): Uint8Array {
  return toPng(renderHeatmap(matrix, rowLabels, colLabels, opts).surface);
}

export function renderHeatmap(matrix: ReadonlyArray<ReadonlyArray<number | null>>, rowLabels: readonly string[], colLabels: readonly string[], opts: HeatmapOptions): RenderedHeatmap {
  const width = checkSide('width', opts.width, 640);
  const height = checkSide('height', opts.height, 480);
  if (matrix.length !== rowLabels.length) {
    throw new UserError(`heatmap: ${matrix.length} rows but ${rowLabels.length} row labels`);
  }
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
  const colormap = opts.reverse ? (t: number) => viridis(1 - t) : viridis;

  const surface = createSurface(width, height);
  const { ctx } = surface;
  const fonts = fontSizes(width, height);
  const pad = Math.round(fonts.label * 0.9);
  const bar: ColorBarSpec = { min: lo, max: hi > lo ? hi : lo + 1, label: opts.colorLabel, colormap };
  ctx.font = font(fonts.label);
  const rowLabelWidth = Math.min(width * 0.3, Math.max(...rowLabels.map((l) => ctx.measureText(l).width)));
  const top = titlesHeight(fonts, opts.title, opts.subtitle);
  const left = pad + (opts.rowTitle ? fonts.label * 1.6 : 0) + rowLabelWidth + 8;
  const bottom = pad + fonts.label * 1.6 + (opts.colTitle ? fonts.label * 1.6 : 0);
  const right = pad + colorBarWidth(ctx, fonts, bar);
  const grid: Rect = { x: Math.round(left), y: Math.round(top), width: Math.max(10, Math.round(width - left - right)), height: Math.max(10, Math.round(height - top - bottom)) };
  const nr = rowLabels.length;
  const nc = colLabels.length;
  const cellW = grid.width / nc;
  const cellH = grid.height / nr;
  const valueFont = Math.max(9, Math.min(Math.round(fonts.label * 1.3), Math.round(cellH * 0.3), Math.round(cellW * 0.18)));

  const cells: Rect[][] = [];
  for (let r = 0; r < nr; r++) {
    const rowRects: Rect[] = [];
    for (let c = 0; c < nc; c++) {
      const x0 = Math.round(grid.x + c * cellW);
      const y0 = Math.round(grid.y + r * cellH);
      const rect: Rect = { x: x0, y: y0, width: Math.round(grid.x + (c + 1) * cellW) - x0, height: Math.round(grid.y + (r + 1) * cellH) - y0 };
      rowRects.push(rect);
      const v = (matrix[r] as ReadonlyArray<number | null>)[c] ?? null;
      const missing = v === null || !Number.isFinite(v);
      const color = missing ? null : colormap(span > 0 ? ((v as number) - lo) / span : 0.5);
      ctx.fillStyle = color ? cssColor(color) : STYLE.missing;
      ctx.fillRect(rect.x, rect.y, rect.width, rect.height);
      ctx.font = font(valueFont, 'bold');
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillStyle = color ? (luminance(color) > 0.4 ? '#111111' : '#ffffff') : STYLE.mutedText;
      ctx.fillText(missing ? '—' : fitText(ctx, format(v as number), rect.width - 6), rect.x + rect.width / 2, rect.y + rect.height / 2);
    }
    cells.push(rowRects);
  }
  // White separators between cells read as a table rather than as one blurred image.
  ctx.strokeStyle = STYLE.background;
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let c = 1; c < nc; c++) {
    const x = Math.round(grid.x + c * cellW);
    ctx.moveTo(x, grid.y);
    ctx.lineTo(x, grid.y + grid.height);
  }
  for (let r = 1; r < nr; r++) {
    const y = Math.round(grid.y + r * cellH);
    ctx.moveTo(grid.x, y);
    ctx.lineTo(grid.x + grid.width, y);
  }
  ctx.stroke();

  ctx.fillStyle = STYLE.text;
  ctx.font = font(fonts.label);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  rowLabels.forEach((l, r) => ctx.fillText(fitText(ctx, l, rowLabelWidth), grid.x - 8, grid.y + (r + 0.5) * cellH));
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  colLabels.forEach((l, c) => ctx.fillText(fitText(ctx, l, cellW - 4), grid.x + (c + 0.5) * cellW, grid.y + grid.height + 6));
  if (opts.colTitle) {
    ctx.textBaseline = 'bottom';
    ctx.fillText(fitText(ctx, opts.colTitle, grid.width), grid.x + grid.width / 2, height - Math.round(fonts.label * 0.6));
  }
  if (opts.rowTitle) {
    ctx.save();
    ctx.translate(Math.round(fonts.label * 0.6), grid.y + grid.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'top';
    ctx.fillText(fitText(ctx, opts.rowTitle, grid.height), 0, 0);
    ctx.restore();
  }
  drawTitles(surface, fonts, opts.title, opts.subtitle, grid.x + grid.width / 2);
  drawColorBar(ctx, fonts, grid.x + grid.width, grid.y, grid.height, bar);
  return { surface, cells };
}

/** Three significant digits; whole numbers from 1000 up; exponent form below 0.001 so cells stay narrow. */
export function formatValue(v: number): string {
  const abs = Math.abs(v);
  if (v === 0) return '0';
  if (abs >= 1000) return v.toFixed(0);
  if (abs < 1e-3) return formatExponent(v);
  return Number.parseFloat(v.toPrecision(3)).toString();
}
