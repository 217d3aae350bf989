/**
 * The drawing surface shared by every plot: a @napi-rs/canvas canvas (Skia compiled for Node; no browser,
 * display or system libraries needed), one visual style, and PNG encoding.
 */
import { createCanvas, GlobalFonts, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { UserError } from '../../errors';

export type Ctx = SKRSContext2D;

/** One style for all plots, so figures from different commands sit well side by side in a report. */
export const STYLE = {
  background: '#ffffff',
  plotBackground: '#ffffff',
  text: '#222222',
  mutedText: '#666666',
  axis: '#444444',
  grid: '#e6e6e6',
  zeroLine: '#b0b0b0',
  missing: '#eeeeee',
  /** DejaVu Sans ships with most Linux distributions; the generic family is the fallback elsewhere. */
  fontFamily: '"DejaVu Sans", "Helvetica Neue", Helvetica, Arial, sans-serif',
} as const;

/** Font sizes in pixels for a figure of the given size: larger figures get proportionally larger text. */
export interface FontSizes {
  title: number;
  subtitle: number;
  label: number;
  tick: number;
}

export function fontSizes(width: number, height: number): FontSizes {
  const s = Math.min(2.5, Math.max(0.75, Math.min(width / 800, height / 500)));
  return { title: Math.round(17 * s), subtitle: Math.round(12 * s), label: Math.round(14 * s), tick: Math.round(12 * s) };
}

export function font(sizePx: number, weight: 'normal' | 'bold' = 'normal'): string {
  return `${weight === 'bold' ? 'bold ' : ''}${sizePx}px ${STYLE.fontFamily}`;
}

/** The smallest and largest figure side accepted: below, nothing is readable; above, memory explodes (a 16k² RGBA canvas is 1 GiB). */
export const MIN_SIDE = 64;
export const MAX_SIDE = 8192;

/** A figure dimension from options: a whole number of pixels in [min, MAX_SIDE], or a UserError naming the option. */
export function checkSide(name: string, value: number | undefined, fallback: number, min = MIN_SIDE): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > MAX_SIDE) {
    throw new UserError(`plot option ${name} must be a whole number of pixels from ${min} to ${MAX_SIDE}, got ${String(value)}`);
  }
  return v;
}

export interface Surface {
  canvas: Canvas;
  ctx: Ctx;
  width: number;
  height: number;
}

/** A blank figure painted with the background colour (PNGs with a transparent background look broken in dark viewers). */
export function createSurface(width: number, height: number): Surface {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = STYLE.background;
  ctx.fillRect(0, 0, width, height);
  ctx.textBaseline = 'alphabetic';
  return { canvas, ctx, width, height };
}

export function toPng(surface: Surface): Uint8Array {
  return surface.canvas.toBuffer('image/png');
}

/** Whether any font is available to draw text with; without one, figures still render but carry no text. */
export function hasFonts(): boolean {
  return GlobalFonts.families.length > 0;
}

/** A rectangle in pixels: the plot area inside the axes, a colour bar, a cell. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Text shortened with an ellipsis to fit `maxWidth` pixels in the current font. */
export function fitText(ctx: Ctx, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ctx.measureText(text.slice(0, mid) + '…').width <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : text.slice(0, lo) + '…';
}
