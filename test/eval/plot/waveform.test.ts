import { renderWaveform, waveformPng, WAVEFORM_COLOR } from '../../../src/eval/plot/waveform';
import { toPng } from '../../../src/eval/plot/canvas';
import { isUserError } from '../../../src/errors';
import { colorDistance, decodePng, isBackground, parsePngHeader } from './png-helpers';

const SR = 8000;

describe('waveformPng', () => {
  it('returns a PNG of the requested size', () => {
    const png = waveformPng(new Float32Array(800), SR, { width: 640, height: 240, title: 'Silence' });
    const h = parsePngHeader(png);
    expect([h.width, h.height]).toEqual([640, 240]);
    expect(h.bitDepth).toBe(8);
  });

  it('is deterministic and matches the rendered chart', () => {
    const x = Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 10) * Math.exp(-i / 1000));
    const a = waveformPng(x, SR, { title: 't' });
    expect(Buffer.from(a).equals(Buffer.from(toPng(renderWaveform(x, SR, { title: 't' }).surface)))).toBe(true);
  });

  it('draws silence as a flat line on the zero axis and nothing above or below it', () => {
    const x = new Float32Array(8000);
    const chart = renderWaveform(x, SR, { width: 600, height: 300 });
    const img = decodePng(toPng(chart.surface));
    const { area } = chart;
    const zeroY = Math.floor(chart.y.toPx(0));
    expect(zeroY).toBe(Math.floor(area.y + area.height / 2));
    for (let px = area.x + 2; px < area.x + area.width - 2; px += 7) {
      expect(colorDistance(img.at(px, zeroY), WAVEFORM_COLOR)).toBeLessThanOrEqual(2);
      for (const dy of [-40, -10, -3, 3, 10, 40]) expect(isBackground(img.at(px, zeroY + dy))).toBe(true);
    }
  });

  it('draws a positive DC signal above the axis only', () => {
    const x = new Float32Array(8000).fill(0.5);
    const chart = renderWaveform(x, SR, { width: 600, height: 300 });
    const img = decodePng(toPng(chart.surface));
    const mid = chart.area.x + chart.area.width / 2;
    expect(colorDistance(img.at(mid, chart.y.toPx(0.5)), WAVEFORM_COLOR)).toBeLessThanOrEqual(2);
    expect(isBackground(img.at(mid, chart.y.toPx(0.25)))).toBe(true);
    expect(isBackground(img.at(mid, chart.y.toPx(-0.5)))).toBe(true);
  });

  it('draws a signal shorter than the plot is wide as a line through its samples', () => {
    const x = new Float32Array(50).fill(0.5);
    const chart = renderWaveform(x, SR, { width: 600, height: 300 });
    const img = decodePng(toPng(chart.surface));
    const mid = chart.area.x + chart.area.width / 2;
    const y = chart.y.toPx(0.5);
    // an anti-aliased 1.5 px line: the nearest row is close to the line colour, rows further away are empty
    const best = Math.min(...[-1, 0, 1].map((d) => colorDistance(img.at(mid, Math.floor(y) + d), WAVEFORM_COLOR)));
    expect(best).toBeLessThanOrEqual(60); // the grey zero line or white would be ≥ 88 away
    expect(isBackground(img.at(mid, y + 6))).toBe(true);
    expect(isBackground(img.at(mid, y - 6))).toBe(true);
  });

  it('keeps a one-sample click in a long signal', () => {
    const x = new Float32Array(SR * 10);
    x[SR * 5] = 0.9;
    const chart = renderWaveform(x, SR, { width: 500, height: 250 });
    const img = decodePng(toPng(chart.surface));
    const col = Math.round(chart.x.toPx(5));
    const hits = [-1, 0, 1].filter((d) => colorDistance(img.at(col + d, chart.y.toPx(0.8)), WAVEFORM_COLOR) <= 2);
    expect(hits.length).toBeGreaterThan(0);
  });

  it('writes tick labels and titles (fonts render)', () => {
    const chart = renderWaveform(new Float32Array(100), SR, { width: 600, height: 300, title: 'Title' });
    const img = decodePng(toPng(chart.surface));
    let dark = 0;
    for (let y = chart.area.y; y < chart.area.y + chart.area.height; y++) {
      for (let x = 0; x < chart.area.x - 8; x++) if ((img.at(x, y)[0] as number) < 128) dark++;
    }
    expect(dark).toBeGreaterThan(50);
    let titleDark = 0;
    for (let y = 0; y < chart.area.y - 2; y++) for (let x = 0; x < 600; x++) if ((img.at(x, y)[0] as number) < 128) titleDark++;
    expect(titleDark).toBeGreaterThan(20);
  });

  it('widens the amplitude axis for signals louder than full scale', () => {
    const chart = renderWaveform(Float32Array.from([0, 1.34, -0.2]), SR);
    expect(chart.y.domain).toEqual([-1.4, 1.4]);
  });

  it('names the bad option', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(isUserError(e)).toBe(true);
        return (e as Error).message;
      }
      throw new Error('did not throw');
    };
    expect(err(() => waveformPng(new Float32Array(10), SR, { width: 10 }))).toMatch(/width/);
    expect(err(() => waveformPng(new Float32Array(10), SR, { height: 300.5 }))).toMatch(/height/);
    expect(err(() => waveformPng(new Float32Array(10), 0))).toMatch(/sample rate/);
    expect(err(() => waveformPng(new Float32Array(10), SR, { amplitude: -1 }))).toMatch(/amplitude/);
  });
});
