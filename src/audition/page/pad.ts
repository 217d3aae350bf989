import { formatTick, niceStep, niceTicks } from '../../eval/plot/ticks';
import type { LatentSpace } from './space';

/**
 * The XY pad: a canvas over the first two directions of the latent space (the axes of a 2-D latent, else the
 * first two principal directions), with the training set's points as a scatter, the dropped files' points as
 * labelled rings and the current point as a crosshair. Pointer input becomes coordinates; the page decides
 * what to do with them.
 */

export interface PadMark {
  label: string;
  coords: number[];
}

export type PadGesture = 'press' | 'drag' | 'release';

const COLORS = {
  background: '#14171c',
  grid: '#242a33',
  axis: '#3a4350',
  text: '#8a96a8',
  scatter: 'rgba(102, 178, 255, 0.6)',
  mark: '#ffb454',
  current: '#f0f4f8',
};

/** Room around the plot for the tick labels. */
const INSET = { left: 44, right: 14, top: 14, bottom: 30 };

export class Pad {
  private space: LatentSpace | null = null;
  private scatter: number[][] = [];
  private scatterLayer: HTMLCanvasElement | null = null;
  private marks: PadMark[] = [];
  private current: number[] | null = null;
  private dragging = false;
  private cssWidth = 0;
  private cssHeight = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPoint: (coords: [number, number], gesture: PadGesture) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => {
      if (!this.space || e.button !== 0) return;
      canvas.setPointerCapture(e.pointerId);
      this.dragging = true;
      this.onPoint(this.toCoords(e), 'press');
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.dragging) this.onPoint(this.toCoords(e), 'drag');
    });
    const end = (e: PointerEvent) => {
      if (!this.dragging) return;
      this.dragging = false;
      this.onPoint(this.toCoords(e), 'release');
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    new ResizeObserver(() => this.resize()).observe(canvas);
    this.resize();
  }

  setSpace(space: LatentSpace, scatter: number[][]): void {
    this.space = space;
    this.scatter = scatter;
    this.marks = [];
    this.current = null;
    this.scatterLayer = null;
    this.draw();
  }

  setMarks(marks: PadMark[]): void {
    this.marks = marks;
    this.draw();
  }

  setCurrent(coords: number[]): void {
    this.current = coords;
    this.draw();
  }

  /** CSS pixels of the canvas for the pad coordinates (for tests: where to click to reach a point). */
  toPixels(coords: readonly number[]): [number, number] {
    const [x0, x1, y0, y1] = this.ranges();
    const w = this.cssWidth - INSET.left - INSET.right;
    const h = this.cssHeight - INSET.top - INSET.bottom;
    const u = (coords[0]! - x0) / (x1 - x0);
    const v = coords.length > 1 && y1 > y0 ? (coords[1]! - y0) / (y1 - y0) : 0.5;
    return [INSET.left + u * w, INSET.top + (1 - v) * h];
  }

  private ranges(): [number, number, number, number] {
    const d = this.space?.directions ?? [];
    const x = d[0] ?? { min: -1, max: 1 };
    const y = d[1] ?? { min: 0, max: 0 }; // a 1-D latent: the pad's vertical axis means nothing
    return [x.min, x.max, y.min, y.max];
  }

  private toCoords(e: PointerEvent): [number, number] {
    const rect = this.canvas.getBoundingClientRect();
    const [x0, x1, y0, y1] = this.ranges();
    const w = rect.width - INSET.left - INSET.right;
    const h = rect.height - INSET.top - INSET.bottom;
    const u = Math.min(1, Math.max(0, (e.clientX - rect.left - INSET.left) / w));
    const v = Math.min(1, Math.max(0, 1 - (e.clientY - rect.top - INSET.top) / h));
    return [x0 + u * (x1 - x0), y0 + v * (y1 - y0)];
  }

  private resize(): void {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.cssWidth = rect.width;
    this.cssHeight = rect.height;
    this.canvas.width = Math.max(1, Math.round(rect.width * dpr));
    this.canvas.height = Math.max(1, Math.round(rect.height * dpr));
    this.scatterLayer = null;
    this.draw();
  }

  /** The scatter drawn once per model and size (thousands of points), then copied on every frame. */
  private scatterCanvas(): HTMLCanvasElement {
    if (this.scatterLayer) return this.scatterLayer;
    const layer = document.createElement('canvas');
    layer.width = this.canvas.width;
    layer.height = this.canvas.height;
    const g = layer.getContext('2d')!;
    const dpr = this.canvas.width / Math.max(1, this.cssWidth);
    g.scale(dpr, dpr);
    g.fillStyle = COLORS.scatter;
    // Few points: visible dots; thousands (the study's ~7500): small ones, so that density shows.
    const r = this.scatter.length > 2000 ? 1.3 : this.scatter.length > 300 ? 2 : 3;
    for (const c of this.scatter) {
      const [px, py] = this.toPixels(c);
      g.beginPath();
      g.arc(px, py, r, 0, 2 * Math.PI);
      g.fill();
    }
    this.scatterLayer = layer;
    return layer;
  }

  draw(): void {
    const g = this.canvas.getContext('2d');
    if (!g || this.cssWidth === 0) return;
    const dpr = this.canvas.width / this.cssWidth;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = COLORS.background;
    g.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.space) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawAxes(g);
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.drawImage(this.scatterCanvas(), 0, 0);
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.font = '12px system-ui, sans-serif';
    for (const m of this.marks) {
      const [px, py] = this.toPixels(m.coords);
      g.strokeStyle = COLORS.mark;
      g.lineWidth = 2;
      g.beginPath();
      g.arc(px, py, 7, 0, 2 * Math.PI);
      g.stroke();
      g.fillStyle = COLORS.mark;
      g.fillText(m.label, px + 10, py - 8);
    }
    if (this.current) {
      const [px, py] = this.toPixels(this.current);
      g.strokeStyle = 'rgba(240, 244, 248, 0.35)';
      g.lineWidth = 1;
      g.beginPath();
      g.moveTo(INSET.left, py);
      g.lineTo(this.cssWidth - INSET.right, py);
      g.moveTo(px, INSET.top);
      g.lineTo(px, this.cssHeight - INSET.bottom);
      g.stroke();
      g.fillStyle = COLORS.current;
      g.beginPath();
      g.arc(px, py, 5, 0, 2 * Math.PI);
      g.fill();
    }
  }

  private drawAxes(g: CanvasRenderingContext2D): void {
    const [x0, x1, y0, y1] = this.ranges();
    const left = INSET.left;
    const right = this.cssWidth - INSET.right;
    const top = INSET.top;
    const bottom = this.cssHeight - INSET.bottom;
    g.strokeStyle = COLORS.grid;
    g.lineWidth = 1;
    g.fillStyle = COLORS.text;
    g.font = '11px system-ui, sans-serif';
    g.strokeRect(left, top, right - left, bottom - top);
    // Grid lines and labels at round values (the plots' nice ticks), not at arbitrary fractions of the range.
    const xStep = niceStep(x0, x1, 5);
    for (const v of niceTicks(x0, x1, 5)) {
      const [x] = this.toPixels([v, y0]);
      g.beginPath();
      g.moveTo(x, top);
      g.lineTo(x, bottom);
      g.stroke();
      g.textAlign = 'center';
      g.textBaseline = 'top';
      g.fillText(formatTick(v, xStep), x, bottom + 4);
    }
    if (y1 > y0) {
      const yStep = niceStep(y0, y1, 5);
      for (const v of niceTicks(y0, y1, 5)) {
        const [, y] = this.toPixels([x0, v]);
        g.beginPath();
        g.moveTo(left, y);
        g.lineTo(right, y);
        g.stroke();
        g.textAlign = 'right';
        g.textBaseline = 'middle';
        g.fillText(formatTick(v, yStep), left - 6, y);
      }
    }
    const d = this.space!.directions;
    g.fillStyle = COLORS.text;
    g.textAlign = 'right';
    g.textBaseline = 'bottom';
    g.fillText(d[0]?.label ?? '', right, bottom - 3);
    if (d[1]) {
      g.textAlign = 'left';
      g.textBaseline = 'top';
      g.fillText(d[1].label, left + 4, top + 3);
    }
  }
}
