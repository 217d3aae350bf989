import { formatValue, heatmapPng } from '../../../src/eval/plot/heatmap';
import { heatmapSpec } from '../../../src/eval/chart/specs';
import { chartSvg } from '../../../src/eval/chart/render';
import { viridis } from '../../../src/eval/plot/colormap';
import { isUserError } from '../../../src/errors';
import { parsePngHeader } from './png-helpers';
import { attr, colorDistance, markItems, rgb, svgSize, texts } from '../chart/svg-helpers';

const rows = ['16', '64', '256'];
const cols = ['relu', 'tanh', 'sigmoid'];
const matrix = [
  [0.5, 0.2, 0.9],
  [0.1, null, 0.3],
  [0.6, 0.4, 0.7],
];

/** The cells' fills, keyed "row/col" (cells are drawn row by row). */
function cells(svg: string): Map<string, [number, number, number]> {
  const out = new Map<string, [number, number, number]>();
  markItems(svg, 'rect', 'mark').forEach((p, i) => out.set(`${rows[Math.floor(i / cols.length)]}/${cols[i % cols.length]}`, rgb(attr(p, 'fill'))));
  return out;
}

describe('heatmapPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(heatmapPng(matrix, rows, cols, { title: 'MSE', width: 500, height: 400 }));
    expect([h.width, h.height]).toEqual([500, 400]);
  });

  it('draws a cell per value, coloured by value (high bright, low dark), missing grey, with the values written in', () => {
    const svg = chartSvg(heatmapSpec(matrix, rows, cols, { title: 'MSE', rowTitle: 'size', colTitle: 'activation', colorLabel: 'mse' }));
    expect(svgSize(svg)).toEqual([640, 480]);
    expect(texts(svg, 'axis-title').sort()).toEqual(['activation', 'size']);
    expect(texts(svg, 'legend-title')).toEqual(['mse']);
    const c = cells(svg);
    expect(c.size).toBe(9);
    expect(colorDistance(c.get('16/sigmoid')!, viridis(1))).toBeLessThanOrEqual(4); // 0.9, the maximum
    expect(colorDistance(c.get('64/relu')!, viridis(0))).toBeLessThanOrEqual(4); // 0.1, the minimum
    expect(c.get('64/tanh')).toEqual([238, 238, 238]);
    const values = texts(svg, 'mark');
    expect(values).toEqual(['0.5', '0.2', '0.9', '0.1', '—', '0.3', '0.6', '0.4', '0.7']);
    // white text on the dark cell, dark text on the bright one
    const ink = markItems(svg, 'text', 'mark').map((t) => rgb(attr(t, 'fill')));
    expect(ink[3]).toEqual([255, 255, 255]);
    expect(ink[2]).toEqual([17, 17, 17]);
  });

  it('reverses the colour map on request', () => {
    const c = cells(chartSvg(heatmapSpec(matrix, rows, cols, { title: 'MSE', reverse: true })));
    expect(colorDistance(c.get('16/sigmoid')!, viridis(0))).toBeLessThanOrEqual(4);
    expect(colorDistance(c.get('64/relu')!, viridis(1))).toBeLessThanOrEqual(4);
  });

  it('rejects a matrix whose shape does not match its labels', () => {
    for (const [f, re] of [
      [() => heatmapPng(matrix, ['a', 'b'], cols, { title: 't' }), /3 rows but 2 row labels/],
      [() => heatmapPng([[1, 2], [3], [4, 5]], rows, ['a', 'b'], { title: 't' }), /row 1 \("64"\) has 1 values but there are 2 column labels/],
    ] as const) {
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
});

describe('formatValue', () => {
  it('shows three significant digits, whole numbers from 1000, exponents below 0.001', () => {
    expect(formatValue(0.012345)).toBe('0.0123');
    expect(formatValue(1.5)).toBe('1.5');
    expect(formatValue(123456.7)).toBe('123457');
    expect(formatValue(0.000123)).toBe('1.23e-4');
    expect(formatValue(0)).toBe('0');
  });
});
