/** A vertical colour bar with ticks, the key for colour-mapped values (spectrogram dB, scatter feature, heatmap). */
import { font, STYLE, type Ctx, type FontSizes, type Rect } from './canvas';
import { cssColor, type Rgb } from './colormap';
import { formatTick, niceStep, niceTicks } from './ticks';

export interface ColorBarSpec {
  min: number;
  max: number;
  label?: string;
  colormap: (t: number) => Rgb;
  format?: (value: number) => string;
}

const GAP = 16;
const BAR = 16;
const TICK = 4;

/** Pixels a colour bar takes right of the plot area. */
export function colorBarWidth(ctx: Ctx, fonts: FontSizes, spec: ColorBarSpec): number {
  ctx.font = font(fonts.tick);
  const { labels } = colorBarTicks(spec, 6);
  const widest = Math.max(0, ...labels.map((l) => ctx.measureText(l).width));
  return GAP + BAR + TICK + 3 + widest + (spec.label ? fonts.label * 1.8 : 0);
}

/** Draws the bar left-aligned at `x`, spanning `top`…`top + height`, low values at the bottom. */
export function drawColorBar(ctx: Ctx, fonts: FontSizes, x: number, top: number, height: number, spec: ColorBarSpec): Rect {
  const bar: Rect = { x: Math.round(x + GAP), y: Math.round(top), width: BAR, height: Math.round(height) };
  const span = spec.max - spec.min;
  ctx.save();
  for (let row = 0; row < bar.height; row++) {
    const t = 1 - (row + 0.5) / bar.height;
    ctx.fillStyle = cssColor(spec.colormap(t));
    ctx.fillRect(bar.x, bar.y + row, bar.width, 1);
  }
  ctx.strokeStyle = STYLE.axis;
  ctx.lineWidth = 1;
  ctx.strokeRect(bar.x + 0.5, bar.y + 0.5, bar.width - 1, bar.height - 1);

  const target = Math.max(2, Math.min(8, Math.round(bar.height / (fonts.tick * 4))));
  const { ticks, labels } = colorBarTicks(spec, target);
  ctx.font = font(fonts.tick);
  ctx.fillStyle = STYLE.text;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.beginPath();
  let widest = 0;
  ticks.forEach((v, i) => {
    const t = span > 0 ? (v - spec.min) / span : 0.5;
    const py = Math.round(bar.y + bar.height - t * bar.height) + 0.5;
    ctx.moveTo(bar.x + bar.width, py);
    ctx.lineTo(bar.x + bar.width + TICK, py);
    const label = labels[i] ?? '';
    widest = Math.max(widest, ctx.measureText(label).width);
    ctx.fillText(label, bar.x + bar.width + TICK + 3, py);
  });
  ctx.stroke();
  if (spec.label) {
    ctx.font = font(fonts.label);
    ctx.save();
    // Reads bottom to top, like the y axis label.
    ctx.translate(bar.x + bar.width + TICK + 3 + widest + fonts.label * 0.4, bar.y + bar.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(spec.label, 0, 0);
    ctx.restore();
  }
  ctx.restore();
  return bar;
}

function colorBarTicks(spec: ColorBarSpec, target: number): { ticks: number[]; labels: string[] } {
  const ticks = spec.max > spec.min ? niceTicks(spec.min, spec.max, target) : [spec.min];
  const step = ticks.length > 1 ? Math.abs((ticks[1] as number) - (ticks[0] as number)) : niceStep(spec.min, spec.max, target);
  const format = spec.format ?? ((v: number) => formatTick(v, step));
  return { ticks, labels: ticks.map(format) };
}
