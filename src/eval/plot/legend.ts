/** A legend right of the plot area: one row per series or category, with its colour as a line or a dot. */
import { font, fitText, STYLE, type Ctx, type FontSizes } from './canvas';
import { cssColor, type Rgb } from './colormap';

export interface LegendEntry {
  name: string;
  color: Rgb;
}

export type LegendMark = 'line' | 'dot';

const GAP = 16;
const MARK = 18;

/** Longest legend text in pixels before it is shortened with an ellipsis. */
function maxTextWidth(fonts: FontSizes): number {
  return fonts.tick * 18;
}

/** Pixels the legend takes right of the plot area. */
export function legendWidth(ctx: Ctx, fonts: FontSizes, entries: LegendEntry[], title?: string): number {
  ctx.font = font(fonts.tick);
  const widest = Math.max(0, ...entries.map((e) => ctx.measureText(e.name).width));
  ctx.font = font(fonts.tick, 'bold');
  const titleWidth = title ? ctx.measureText(title).width : 0;
  return GAP + Math.max(MARK + 6 + Math.min(widest, maxTextWidth(fonts)), Math.min(titleWidth, maxTextWidth(fonts))) + 4;
}

/**
 * Draws the legend from (x, top) downwards within `height` pixels; entries that do not fit are summarised in a
 * last "+ N more" row rather than drawn over the figure's edge.
 */
export function drawLegend(ctx: Ctx, fonts: FontSizes, x: number, top: number, height: number, entries: LegendEntry[], mark: LegendMark, title?: string): void {
  const row = Math.round(fonts.tick * 1.6);
  const left = x + GAP;
  let y = top + row / 2;
  ctx.save();
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  if (title) {
    ctx.font = font(fonts.tick, 'bold');
    ctx.fillStyle = STYLE.text;
    ctx.fillText(fitText(ctx, title, maxTextWidth(fonts)), left, y);
    y += row;
  }
  ctx.font = font(fonts.tick);
  const room = Math.max(1, Math.floor((top + height - (y - row / 2)) / row));
  const shown = entries.length <= room ? entries.length : Math.max(0, room - 1);
  for (let i = 0; i < shown; i++) {
    const e = entries[i] as LegendEntry;
    ctx.fillStyle = cssColor(e.color);
    ctx.strokeStyle = cssColor(e.color);
    if (mark === 'line') {
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + MARK, y);
      ctx.stroke();
    } else {
      ctx.beginPath();
      ctx.arc(left + MARK / 2, y, Math.max(3, fonts.tick * 0.35), 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.fillStyle = STYLE.text;
    ctx.fillText(fitText(ctx, e.name, maxTextWidth(fonts)), left + MARK + 6, y);
    y += row;
  }
  if (shown < entries.length) {
    ctx.fillStyle = STYLE.mutedText;
    ctx.fillText(`+ ${entries.length - shown} more`, left, y);
  }
  ctx.restore();
}
