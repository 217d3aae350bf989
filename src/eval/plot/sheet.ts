/**
 * Contact sheet: a grid of small labelled waveforms (e.g. the decodes of `generate --grid 8x8`), all on one
 * amplitude scale so that loudness can be compared across cells at a glance.
 */
import { drawTitles, titlesHeight } from './axes';
import { checkSide, createSurface, fitText, font, fontSizes, MAX_SIDE, STYLE, toPng, type Rect, type Surface } from './canvas';
import { amplitudeRange, drawEnvelope, WAVEFORM_COLOR } from './waveform';
import { peakAbs } from './envelope';
import { UserError } from '../../errors';

export interface SheetCell {
  samples: Float32Array;
  label: string;
}

export interface ContactSheetOptions {
  title?: string;
  subtitle?: string;
  /** Size of one cell in pixels, label included (default 200 × 110). */
  cellWidth?: number;
  cellHeight?: number;
  /** Half-height of every cell's amplitude axis; default ±1, or the loudest cell's peak if above full scale. */
  amplitude?: number;
}

export interface RenderedSheet {
  surface: Surface;
  /** The waveform box of each cell, in input order. */
  boxes: Rect[];
}

export function contactSheetPng(cells: readonly SheetCell[], cols: number, opts: ContactSheetOptions = {}): Uint8Array {
  return toPng(renderContactSheet(cells, cols, opts).surface);
}

export function renderContactSheet(cells: readonly SheetCell[], cols: number, opts: ContactSheetOptions = {}): RenderedSheet {
  if (cells.length === 0) throw new UserError('contact sheet: no cells to draw');
  if (!Number.isInteger(cols) || cols < 1) throw new UserError(`contact sheet: columns must be a positive whole number, got ${String(cols)}`);
  const cellWidth = checkSide('cellWidth', opts.cellWidth, 200, 40);
  const cellHeight = checkSide('cellHeight', opts.cellHeight, 110, 40);
  const columns = Math.min(cols, cells.length);
  const rows = Math.ceil(cells.length / columns);
  const loudest = Math.max(...cells.map((c) => peakAbs(c.samples)));
  const amp = amplitudeRange([loudest], opts.amplitude);

  // Text sizes follow the cell size, not the figure size: a big grid of small cells needs small labels.
  const fonts = fontSizes(cellWidth * 4, cellHeight * 4.5);
  const labelSize = Math.max(9, Math.min(13, Math.round(cellHeight * 0.11)));
  const pad = Math.round(fonts.label * 0.9);
  const top = titlesHeight(fonts, opts.title, opts.subtitle);
  const width = columns * cellWidth + 2 * pad;
  const height = Math.round(top + rows * cellHeight + pad);
  if (width > MAX_SIDE || height > MAX_SIDE) {
    throw new UserError(`contact sheet of ${columns}×${rows} cells would be ${width}×${height} pixels (at most ${MAX_SIDE}); use smaller cellWidth/cellHeight`);
  }
  const surface = createSurface(width, height);
  const { ctx } = surface;
  const boxes: Rect[] = [];
  cells.forEach((cell, i) => {
    const cx = pad + (i % columns) * cellWidth;
    const cy = top + Math.floor(i / columns) * cellHeight;
    const labelHeight = Math.round(labelSize * 1.5);
    const box: Rect = { x: Math.round(cx + 3), y: Math.round(cy + labelHeight), width: cellWidth - 6, height: Math.max(10, cellHeight - labelHeight - 6) };
    boxes.push(box);
    ctx.fillStyle = STYLE.plotBackground;
    ctx.fillRect(box.x, box.y, box.width, box.height);
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.width, box.height);
    ctx.clip();
    drawEnvelope(ctx, box, cell.samples, amp, WAVEFORM_COLOR);
    ctx.restore();
    ctx.strokeStyle = STYLE.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.width + 1, box.height + 1);
    ctx.font = font(labelSize);
    ctx.fillStyle = STYLE.text;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(fitText(ctx, cell.label, box.width), box.x, cy + labelHeight / 2);
  });
  drawTitles(surface, fonts, opts.title, opts.subtitle, width / 2);
  return { surface, boxes };
}
