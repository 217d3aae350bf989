/** Waveform plot: amplitude against time in seconds, drawn as a min/max envelope per pixel column. */
import { beginChart, clipToArea, finishChart, type Chart } from './axes';
import { checkSide, createSurface, STYLE, toPng, type Ctx, type Rect } from './canvas';
import { categoryColor, cssColor, type Rgb } from './colormap';
import { minMaxEnvelope, peakAbs } from './envelope';
import { checkSampleRate } from './validate';
import { UserError } from '../../errors';

export interface WaveformOptions {
  title?: string;
  subtitle?: string;
  /** Figure size in pixels (default 800 × 300). */
  width?: number;
  height?: number;
  /**
   * Half-height of the amplitude axis. Default ±1 (full scale), so quiet samples look quiet; signals that
   * exceed full scale widen it to their peak so clipping-prone output is visible rather than cut off.
   */
  amplitude?: number;
}

export const WAVEFORM_COLOR: Rgb = categoryColor(0);

export function waveformPng(samples: Float32Array, sampleRate: number, opts: WaveformOptions = {}): Uint8Array {
  return toPng(renderWaveform(samples, sampleRate, opts).surface);
}

/** The drawn chart (surface and plot area), for callers and tests that need the layout. */
export function renderWaveform(samples: Float32Array, sampleRate: number, opts: WaveformOptions = {}): Chart {
  checkSampleRate(sampleRate);
  const width = checkSide('width', opts.width, 800);
  const height = checkSide('height', opts.height, 300);
  const amp = amplitudeRange(samples, opts.amplitude);
  const duration = samples.length / sampleRate;
  const surface = createSurface(width, height);
  const chart = beginChart(surface, {
    title: opts.title,
    subtitle: opts.subtitle,
    x: { domain: [0, duration > 0 ? duration : 1 / sampleRate], label: 'Time (s)' },
    y: { domain: [-amp, amp], label: 'Amplitude' },
  });
  clipToArea(chart, (ctx) => drawEnvelope(ctx, chart.area, samples, amp, WAVEFORM_COLOR));
  finishChart(chart);
  return chart;
}

/** Half-height of the amplitude axis: the option, or 1, or the peak rounded up to 0.1 when louder than full scale. */
export function amplitudeRange(samples: ArrayLike<number>, requested?: number): number {
  if (requested !== undefined) {
    if (!(requested > 0) || !Number.isFinite(requested)) {
      throw new UserError(`plot option amplitude must be a positive number, got ${String(requested)}`);
    }
    return requested;
  }
  const peak = peakAbs(samples);
  return peak > 1 ? Math.ceil(peak * 10) / 10 : 1;
}

/**
 * The zero line, then one vertical bar per pixel column from the column's minimum to its maximum (at least one
 * pixel tall, so silence shows as a line on the zero axis).
 */
export function drawEnvelope(ctx: Ctx, area: Rect, samples: ArrayLike<number>, amp: number, color: Rgb): void {
  const zeroY = area.y + area.height / 2;
  ctx.fillStyle = STYLE.zeroLine;
  ctx.fillRect(area.x, Math.floor(zeroY), area.width, 1);
  if (samples.length === 0) return;
  const toY = (v: number) => zeroY - (v / amp) * (area.height / 2);
  if (samples.length < area.width * 2) {
    drawPolyline(ctx, area, samples, toY, color);
    return;
  }
  const env = minMaxEnvelope(samples, area.width);
  ctx.fillStyle = cssColor(color);
  for (let c = 0; c < area.width; c++) {
    const lo = env.min[c] as number;
    const hi = env.max[c] as number;
    if (Number.isNaN(lo)) continue;
    const top = Math.floor(toY(hi));
    const bottom = Math.floor(toY(lo));
    ctx.fillRect(area.x + c, top, 1, Math.max(1, bottom - top + 1));
  }
}

/**
 * With fewer than two samples per pixel column the envelope would draw a staircase; a smooth line through the
 * samples shows the shape of a short signal (a click, a few milliseconds of attack) as it is.
 */
function drawPolyline(ctx: Ctx, area: Rect, samples: ArrayLike<number>, toY: (v: number) => number, color: Rgb): void {
  const n = samples.length;
  // sample i sits at time i / sampleRate, the same place the envelope puts it
  const toX = (i: number) => area.x + (i / n) * area.width;
  ctx.strokeStyle = cssColor(color);
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  ctx.beginPath();
  let pen = false;
  for (let i = 0; i < n; i++) {
    const v = samples[i] as number;
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(toX(i), toY(v));
    else ctx.moveTo(toX(i), toY(v));
    pen = true;
  }
  ctx.stroke();
}
