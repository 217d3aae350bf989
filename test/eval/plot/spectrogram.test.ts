import { renderSpectrogram, spectrogramPng } from '../../../src/eval/plot/spectrogram';
import { toPng } from '../../../src/eval/plot/canvas';
import { viridis } from '../../../src/eval/plot/colormap';
import { isUserError } from '../../../src/errors';
import { colorDistance, decodePng, parsePngHeader } from './png-helpers';

const SR = 16000;

function sine(freq: number, seconds: number, amp = 1): Float32Array {
  return Float32Array.from({ length: Math.round(SR * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / SR));
}

describe('spectrogramPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(spectrogramPng(sine(1000, 0.2), SR, { width: 700, height: 350 }));
    expect([h.width, h.height]).toEqual([700, 350]);
  });

  it('draws a sine as a bright row at its frequency over a dark background', () => {
    // 5 kHz at FFT 1024 / 16 kHz is bin 320 exactly.
    const chart = renderSpectrogram(sine(5000, 0.5), SR, { width: 800, height: 400 });
    const img = decodePng(toPng(chart.surface));
    const { area } = chart;
    expect(chart.y.domain).toEqual([0, 8]); // kHz
    const mid = area.x + area.width / 2;
    // pixel row r covers y in [r, r + 1), so the row holding 5 kHz is floor(toPx(5))
    expect(colorDistance(img.at(mid, Math.floor(chart.y.toPx(5))), viridis(1))).toBeLessThanOrEqual(8);
    expect(colorDistance(img.at(mid, chart.y.toPx(1.5)), viridis(0))).toBeLessThanOrEqual(8);
    expect(chart.dbRange).toEqual([-80, 0]);
  });

  it('has a colour bar from dark (bottom) to bright (top) right of the plot', () => {
    const chart = renderSpectrogram(sine(2000, 0.3), SR);
    const img = decodePng(toPng(chart.surface));
    const { area } = chart;
    // first colour-bar column: search right of the plot for the viridis top colour at the area's top row
    let barX = -1;
    for (let x = area.x + area.width + 2; x < img.width; x++) {
      if (colorDistance(img.at(x, area.y + 3), viridis(1)) <= 10) {
        barX = x + 3;
        break;
      }
    }
    expect(barX).toBeGreaterThan(0);
    expect(colorDistance(img.at(barX, area.y + area.height - 3), viridis(0))).toBeLessThanOrEqual(10);
  });

  it('shows silence as the bottom colour, with a sane scale', () => {
    const chart = renderSpectrogram(new Float32Array(4000), SR, { maxFrequency: 1000 });
    const img = decodePng(toPng(chart.surface));
    expect(chart.y.domain).toEqual([0, 1000]); // below 2 kHz the axis is in Hz
    const { area } = chart;
    expect(colorDistance(img.at(area.x + area.width / 2, area.y + area.height / 2), viridis(0))).toBeLessThanOrEqual(2);
    expect(chart.dbRange).toEqual([-200, -120]);
  });

  it('rejects bad options with UserErrors naming them', () => {
    for (const [opts, re] of [
      [{ fftSize: 1000 }, /power of two/],
      [{ maxFrequency: 9000 }, /maxFrequency/],
      [{ dynamicRangeDb: 0 }, /dynamicRangeDb/],
    ] as const) {
      let caught: unknown;
      try {
        spectrogramPng(sine(100, 0.1), SR, opts);
      } catch (e) {
        caught = e;
      }
      expect(isUserError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(re);
    }
  });
});
