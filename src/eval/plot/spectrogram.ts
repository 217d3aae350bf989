/** Spectrogram plot: STFT magnitude in dBFS as a viridis image, time in s, frequency in Hz or kHz, with a dB colour bar. */
import { beginChart, finishChart, type Chart } from './axes';
import { checkSide, createSurface, fontSizes, toPng, type Rect, type Surface } from './canvas';
import { colorBarWidth, drawColorBar, type ColorBarSpec } from './colorbar';
import { viridis, type Rgb } from './colormap';
import { magnitudeSpectrogram } from '../spectrum';
import { checkSampleRate } from './validate';
import { UserError } from '../../errors';

export interface SpectrogramOptions {
  title?: string;
  subtitle?: string;
  /** Figure size in pixels (default 800 × 400). */
  width?: number;
  height?: number;
  /** FFT length (power of two, default 1024) and hop (default 256) in samples. */
  fftSize?: number;
  hopSize?: number;
  /** dB range shown below the top of the colour scale (default 80 dB). */
  dynamicRangeDb?: number;
  /** Top of the colour scale in dBFS; default: the loudest bin rounded up to 10 dB. */
  maxDb?: number;
  /** Highest frequency shown in Hz (default Nyquist). */
  maxFrequency?: number;
}

/** STFT magnitudes in dBFS, frame-major (db[frame * bins + bin]), with the FFT size and hop they were taken at. */
export interface StftDb {
  fftSize: number;
  hopSize: number;
  frames: number;
  /** fftSize / 2 + 1: DC to Nyquist. */
  bins: number;
  db: Float32Array;
}

/** dB floor for exact zeros (silence), far below anything a 24-bit file can hold (-144 dBFS). */
export const DB_FLOOR = -200;

/**
 * The STFT of src/eval/spectrum.ts (the one every spectral metric uses: frames from sample 0, zero-padded at the
 * end, periodic Hann window) in dBFS: magnitudes scaled by 2 / Σw, so that a full-scale sine centred on a bin reads
 * 0 dB (DC and Nyquist, which have no mirror image, read 6 dB low). Non-finite samples count as silence, so that
 * one NaN shows as a gap rather than blanking every frame it falls in.
 */
export function stftMagnitudeDb(samples: ArrayLike<number>, opts: { fftSize?: number; hopSize?: number } = {}): StftDb {
  const fftSize = opts.fftSize ?? 1024;
  const hopSize = opts.hopSize ?? 256;
  const finite = Float32Array.from(samples, (v) => (Number.isFinite(v) ? v : 0));
  const { frames, bins, data } = magnitudeSpectrogram(finite, fftSize, hopSize);
  // Σw of the periodic Hann window is exactly N/2.
  const gain = 4 / fftSize;
  const db = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const mag = data[i]! * gain;
    db[i] = mag > 0 ? Math.max(DB_FLOOR, 20 * Math.log10(mag)) : DB_FLOOR;
  }
  return { fftSize, hopSize, frames, bins, db };
}

export function spectrogramPng(samples: Float32Array, sampleRate: number, opts: SpectrogramOptions = {}): Uint8Array {
  return toPng(renderSpectrogram(samples, sampleRate, opts).surface);
}

export function renderSpectrogram(samples: Float32Array, sampleRate: number, opts: SpectrogramOptions = {}): Chart & { dbRange: [number, number] } {
  checkSampleRate(sampleRate);
  const width = checkSide('width', opts.width, 800);
  const height = checkSide('height', opts.height, 400);
  const nyquist = sampleRate / 2;
  const maxFrequency = opts.maxFrequency ?? nyquist;
  if (!(maxFrequency > 0) || maxFrequency > nyquist) {
    throw new UserError(`plot option maxFrequency must be in (0, ${nyquist}] Hz (the Nyquist frequency), got ${String(opts.maxFrequency)}`);
  }
  const dynamicRange = opts.dynamicRangeDb ?? 80;
  if (!(dynamicRange > 0) || !Number.isFinite(dynamicRange)) {
    throw new UserError(`plot option dynamicRangeDb must be a positive number of dB, got ${String(opts.dynamicRangeDb)}`);
  }
  let stft: StftDb;
  try {
    stft = stftMagnitudeDb(samples, { fftSize: opts.fftSize, hopSize: opts.hopSize });
  } catch (err) {
    throw new UserError(`plot: ${(err as Error).message}`);
  }
  const top = opts.maxDb ?? defaultTopDb(stft.db);
  const bottom = top - dynamicRange;

  // Kilohertz once the axis reaches 2 kHz: "16" reads faster than "16000".
  const khz = maxFrequency >= 2000;
  const fUnit = khz ? 1000 : 1;
  const duration = Math.max(samples.length, 1) / sampleRate;
  const surface = createSurface(width, height);
  const fonts = fontSizes(width, height);
  const bar: ColorBarSpec = { min: bottom, max: top, label: 'Magnitude (dBFS)', colormap: viridis };
  const chart = beginChart(surface, {
    title: opts.title,
    subtitle: opts.subtitle,
    grid: false,
    x: { domain: [0, duration], label: 'Time (s)' },
    y: { domain: [0, maxFrequency / fUnit], label: khz ? 'Frequency (kHz)' : 'Frequency (Hz)' },
    rightReserve: colorBarWidth(surface.ctx, fonts, bar),
  });
  paintImage(surface, chart.area, stft, sampleRate, duration, maxFrequency, bottom, top);
  finishChart(chart);
  drawColorBar(surface.ctx, chart.fonts, chart.area.x + chart.area.width, chart.area.y, chart.area.height, bar);
  return Object.assign(chart, { dbRange: [bottom, top] as [number, number] });
}

/** The loudest bin rounded up to a multiple of 10 dB, but never below -120 dBFS (silence still gets a sane scale). */
function defaultTopDb(db: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < db.length; i++) if ((db[i] as number) > max) max = db[i] as number;
  const top = Math.max(-120, Math.ceil(max / 10) * 10);
  return top === 0 ? 0 : top; // no -0 (Math.ceil of a small negative)
}

/**
 * One colour per pixel of the plot area. Each pixel column takes the loudest of the frames whose centres fall in
 * it (or the nearest frame when there are fewer frames than columns), each row the loudest of the bins it covers,
 * so that short transients and narrow partials survive being drawn smaller than the STFT grid.
 */
function paintImage(surface: Surface, area: Rect, stft: StftDb, sampleRate: number, duration: number, maxFrequency: number, bottom: number, top: number): void {
  const { frames, bins, db, hopSize, fftSize } = stft;
  const colFrames = ranges(area.width, (c) => {
    const t0 = (c / area.width) * duration * sampleRate;
    const t1 = ((c + 1) / area.width) * duration * sampleRate;
    // frame f's centre is at f·hop + fftSize/2 samples
    return [(t0 - fftSize / 2) / hopSize, (t1 - fftSize / 2) / hopSize];
  }, frames);
  const binHz = sampleRate / fftSize;
  const rowBins = ranges(area.height, (r) => {
    // row 0 is the top of the area, the highest frequency
    const f1 = (1 - r / area.height) * maxFrequency;
    const f0 = (1 - (r + 1) / area.height) * maxFrequency;
    return [f0 / binHz, f1 / binHz];
  }, bins);

  const lut = colorTable(viridis, 256);
  const image = surface.ctx.createImageData(area.width, area.height);
  const data = image.data;
  const span = top - bottom;
  for (let c = 0; c < area.width; c++) {
    const [fa, fb] = colFrames[c] as [number, number];
    for (let r = 0; r < area.height; r++) {
      const [ba, bb] = rowBins[r] as [number, number];
      let v = -Infinity;
      for (let f = fa; f <= fb; f++) {
        const base = f * bins;
        for (let b = ba; b <= bb; b++) {
          const x = db[base + b] as number;
          if (x > v) v = x;
        }
      }
      const t = Math.min(1, Math.max(0, (v - bottom) / span));
      const color = lut[Math.round(t * 255)] as Rgb;
      const o = (r * area.width + c) * 4;
      data[o] = color[0];
      data[o + 1] = color[1];
      data[o + 2] = color[2];
      data[o + 3] = 255;
    }
  }
  surface.ctx.putImageData(image, area.x, area.y);
}

/**
 * For each of `count` pixels, the inclusive index range [a, b] of grid cells (frames or bins, 0 … size-1) whose
 * positions fall in the pixel's span [lo, hi) as given by `span`; an empty span takes the nearest cell.
 */
function ranges(count: number, span: (i: number) => [number, number], size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const [lo, hi] = span(i);
    let a = Math.ceil(lo);
    let b = Math.ceil(hi) - 1;
    if (b < a) a = b = Math.round((lo + hi) / 2);
    a = Math.min(size - 1, Math.max(0, a));
    b = Math.min(size - 1, Math.max(a, b));
    out.push([a, b]);
  }
  return out;
}

function colorTable(map: (t: number) => Rgb, n: number): Rgb[] {
  return Array.from({ length: n }, (_, i) => map(i / (n - 1)));
}
