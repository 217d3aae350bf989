import { formatValue, heatmapPng, renderHeatmap } from '../../../src/eval/plot/heatmap';
import { STYLE, toPng } from '../../../src/eval/plot/canvas';
import { hexToRgb, viridis } from '../../../src/eval/plot/colormap';
import { isUserError } from '../../../src/errors';
import { colorDistance, decodePng, parsePngHeader } from './png-helpers';

const rows = ['16', '64', '256'];
const cols = ['relu', 'tanh', 'sigmoid'];
const matrix = [
  [0.5, 0.2, 0.9],
  [0.1, null, 0.3],
  [0.6, 0.4, 0.7],
];

describe('heatmapPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(heatmapPng(matrix, rows, cols, { title: 'MSE', width: 500, height: 400 }));
    expect([h.width, h.height]).toEqual([500, 400]);
  });

  it('colours cells by value (high bright, low dark), missing grey, and writes the values', () => {
    const { surface, cells } = renderHeatmap(matrix, rows, cols, { title: 'MSE' });
    const img = decodePng(toPng(surface));
    // sample near a cell's corner, away from the text in its middle
    const corner = (r: number, c: number) => {
      const rect = cells[r]![c]!;
      return img.at(rect.x + 5, rect.y + 5);
    };
    expect(colorDistance(corner(0, 2), viridis(1))).toBeLessThanOrEqual(2); // 0.9, the maximum
    expect(colorDistance(corner(1, 0), viridis(0))).toBeLessThanOrEqual(2); // 0.1, the minimum
    expect(colorDistance(corner(1, 1), hexToRgb(STYLE.missing))).toBeLessThanOrEqual(2);
    // the middle row of the 0.1 cell contains text pixels in a different colour (white on dark viridis)
    const rect = cells[1]![0]!;
    let text = 0;
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      if (colorDistance(img.at(x, rect.y + rect.height / 2), viridis(0)) > 60) text++;
    }
    expect(text).toBeGreaterThan(3);
  });

  it('reverses the colour map on request', () => {
    const { surface, cells } = renderHeatmap(matrix, rows, cols, { title: 'MSE', reverse: true });
    const img = decodePng(toPng(surface));
    const rect = cells[0]![2]!;
    expect(colorDistance(img.at(rect.x + 5, rect.y + 5), viridis(0))).toBeLessThanOrEqual(2);
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
