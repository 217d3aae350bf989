import { lineChartPng, renderLineChart } from '../../../src/eval/plot/lines';
import { toPng } from '../../../src/eval/plot/canvas';
import { categoryColor } from '../../../src/eval/plot/colormap';
import { isUserError } from '../../../src/errors';
import { colorDistance, decodePng, isBackground, parsePngHeader } from './png-helpers';

const base = { title: 'Loss', xLabel: 'Epoch', yLabel: 'Loss' };
const epochs = Array.from({ length: 11 }, (_, i) => i);

describe('lineChartPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(lineChartPng([{ name: 'train', x: [1, 2], y: [1, 0.5] }], { ...base, width: 900, height: 450 }));
    expect([h.width, h.height]).toEqual([900, 450]);
  });

  it('draws each series at its values in its own colour', () => {
    const chart = renderLineChart(
      [
        { name: 'train', x: epochs, y: epochs.map(() => 1) },
        { name: 'validation', x: epochs, y: epochs.map(() => 3) },
      ],
      base,
    );
    const img = decodePng(toPng(chart.surface));
    const x = chart.x.toPx(5.5); // between markers
    expect(colorDistance(img.at(x, chart.y.toPx(1)), categoryColor(0))).toBeLessThanOrEqual(4);
    expect(colorDistance(img.at(x, chart.y.toPx(3)), categoryColor(1))).toBeLessThanOrEqual(4);
    expect(isBackground(img.at(x, chart.y.toPx(2)))).toBe(true);
    expect(chart.x.ticks.every((t) => Number.isInteger(t))).toBe(true);
  });

  it('uses a log axis with decade ticks and leaves gaps for NaN and non-positive values', () => {
    const y = epochs.map((e) => Math.pow(10, -e / 2));
    y[5] = NaN;
    y[6] = 0;
    const chart = renderLineChart([{ name: 'loss', x: epochs, y }], { ...base, logY: true });
    expect(chart.y.log).toBe(true);
    expect(chart.y.ticks).toEqual(expect.arrayContaining([1e-4, 1e-3, 1e-2, 0.1, 1]));
    const img = decodePng(toPng(chart.surface));
    // halfway between epoch 4 and 5 would be on the line if the NaN were bridged
    const px = chart.x.toPx(4.5);
    const py = chart.y.toPx(Math.pow(10, -4.5 / 2));
    expect(isBackground(img.at(px, py))).toBe(true);
    // but between 1 and 2 the line is there
    expect(colorDistance(img.at(chart.x.toPx(1.5), chart.y.toPx(Math.pow(10, -1.5 / 2))), categoryColor(0))).toBeLessThanOrEqual(40);
  });

  it('rejects mismatched series and impossible log axes', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => lineChartPng([{ name: 'a', x: [1, 2], y: [1] }], base), /series 0 \("a"\) has 2 x values and 1 y values/],
      [() => lineChartPng([{ name: 'a', x: [1, 2], y: [0, -1] }], { ...base, logY: true }), /log y axis needs values > 0/],
    ];
    for (const [f, re] of cases) {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(isUserError(caught)).toBe(true);
      expect((caught as Error).message).toMatch(re);
    }
  });

  it('draws an empty chart and a single point without failing', () => {
    expect(parsePngHeader(lineChartPng([], base)).width).toBe(800);
    expect(parsePngHeader(lineChartPng([{ name: 'one', x: [3], y: [0.2] }], { ...base, logY: true })).width).toBe(800);
  });
});
