import { lineChartPng } from '../../../src/eval/plot/lines';
import { lineChartSpec, categoryColor } from '../../../src/eval/chart/specs';
import { chartSvg } from '../../../src/eval/chart/render';
import { isUserError } from '../../../src/errors';
import { parsePngHeader } from './png-helpers';
import { attr, colorDistance, markItems, rgb, svgSize, textGroups, texts } from '../chart/svg-helpers';

const base = { title: 'Loss', xLabel: 'Epoch', yLabel: 'Loss' };
const epochs = Array.from({ length: 11 }, (_, i) => i);

describe('lineChartPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(lineChartPng([{ name: 'train', x: [1, 2], y: [1, 0.5] }], { ...base, width: 900, height: 450 }));
    expect([h.width, h.height]).toEqual([900, 450]);
  });

  it('draws one line per series in its own colour, a dot per point, titles, axis titles and a legend', () => {
    const svg = chartSvg(
      lineChartSpec(
        [
          { name: 'train', x: epochs, y: epochs.map(() => 1) },
          { name: 'validation', x: epochs, y: epochs.map(() => 3) },
        ],
        { ...base, subtitle: 'two runs', legendTitle: 'split' },
      ),
    );
    expect(svgSize(svg)).toEqual([800, 500]);
    expect(texts(svg, 'title-text')).toEqual(['Loss']);
    expect(texts(svg, 'title-subtitle')).toEqual(['two runs']);
    expect(texts(svg, 'axis-title').sort()).toEqual(['Epoch', 'Loss']);
    expect(texts(svg, 'legend-title')).toEqual(['split']);
    expect(texts(svg, 'legend-label')).toEqual(['train', 'validation']);
    const lines = markItems(svg, 'line', 'mark');
    expect(lines).toHaveLength(2);
    lines.forEach((l, i) => expect(colorDistance(rgb(attr(l, 'stroke')), rgb(categoryColor(i)))).toBeLessThanOrEqual(1));
    // validation (3) above train (1): a smaller y in SVG coordinates
    const yOf = (l: string) => Number(/^M[\d.]+,([\d.]+)/.exec(attr(l, 'd')!)![1]);
    expect(yOf(lines[1]!)).toBeLessThan(yOf(lines[0]!));
    expect(markItems(svg, 'symbol', 'mark')).toHaveLength(22);
    // Whole epochs: no "0.5" between epoch 0 and 1.
    const xLabels = textGroups(svg, 'axis-label').find((g) => g.includes('10'))!;
    expect(xLabels.length).toBeGreaterThan(3);
    expect(xLabels.filter((t) => t.includes('.'))).toEqual([]);
  });

  it('uses a log axis and leaves gaps for NaN and non-positive values', () => {
    const y = epochs.map((e) => Math.pow(10, -e / 2));
    y[5] = NaN;
    y[6] = 0;
    const svg = chartSvg(lineChartSpec([{ name: 'loss', x: epochs, y }], { ...base, logY: true }));
    const [line] = markItems(svg, 'line', 'mark');
    // three pieces: epochs 0–4, then 7–10 (5 is NaN, 6 is 0 on a log axis)
    expect(attr(line!, 'd')!.match(/M/g)).toHaveLength(2);
    expect(markItems(svg, 'symbol', 'mark')).toHaveLength(9);
    expect(texts(svg, 'axis-label')).toEqual(expect.arrayContaining(['0.001', '0.01', '0.1', '1']));
  });

  it('drops the dots on long series', () => {
    const x = Array.from({ length: 200 }, (_, i) => i);
    const svg = chartSvg(lineChartSpec([{ name: 'long', x, y: x.map((v) => 1 / (v + 1)) }], base));
    expect(markItems(svg, 'symbol', 'mark')).toHaveLength(0);
    expect(markItems(svg, 'line', 'mark')).toHaveLength(1);
  });

  it('rejects mismatched series and impossible log axes', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => lineChartPng([{ name: 'a', x: [1, 2], y: [1] }], base), /series 0 \("a"\) has 2 x values and 1 y values/],
      [() => lineChartPng([{ name: 'a', x: [1, 2], y: [0, -1] }], { ...base, logY: true }), /log y axis needs values > 0/],
      [() => lineChartPng([], { ...base, width: 10 }), /width must be a whole number of pixels from 64/],
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
