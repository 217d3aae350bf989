import { interleavedOrder, scatterPng } from '../../../src/eval/plot/scatter';
import { categoryColor, scatterSpec } from '../../../src/eval/chart/specs';
import { chartSvg } from '../../../src/eval/chart/render';
import { viridis } from '../../../src/eval/plot/colormap';
import { isUserError } from '../../../src/errors';
import { parsePngHeader } from './png-helpers';
import { attr, colorDistance, markItems, rgb, svgSize, texts } from '../chart/svg-helpers';

const base = { title: 'Latent map', xLabel: 'z1', yLabel: 'z2' };

/** The symbols' centres and fills, in drawing order. */
function dots(svg: string): { x: number; y: number; fill: [number, number, number] }[] {
  return markItems(svg, 'symbol', 'mark').map((p) => {
    const [, x, y] = /translate\(([-\d.]+),([-\d.]+)\)/.exec(attr(p, 'transform')!)!;
    return { x: Number(x), y: Number(y), fill: rgb(attr(p, 'fill')) };
  });
}

describe('scatterPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(scatterPng([[0, 0], [1, 1]], { ...base, width: 500, height: 420 }));
    expect([h.width, h.height]).toEqual([500, 420]);
  });

  it('draws one dot per point where the data says, with titles', () => {
    const svg = chartSvg(scatterSpec([[-1, -1], [1, 1], [0, 0]], { ...base, subtitle: '3 points', width: 600, height: 500 }));
    expect(svgSize(svg)).toEqual([600, 500]);
    expect(texts(svg, 'axis-title').sort()).toEqual(['z1', 'z2']);
    expect(texts(svg, 'title-subtitle')).toEqual(['3 points']);
    const d = dots(svg);
    expect(d).toHaveLength(3);
    const byX = [...d].sort((a, b) => a.x - b.x);
    // left to right is bottom to top (y grows downwards in SVG), and (0, 0) is halfway
    expect(byX[0]!.y).toBeGreaterThan(byX[2]!.y);
    expect(byX[1]!.x).toBeCloseTo((byX[0]!.x + byX[2]!.x) / 2, 5);
    expect(byX[1]!.y).toBeCloseTo((byX[0]!.y + byX[2]!.y) / 2, 5);
  });

  it('accepts {x, y} objects and coordinate arrays alike', () => {
    const a = scatterPng([{ x: 0, y: 1 }, { x: 2, y: -1 }], base);
    const b = scatterPng([[0, 1], [2, -1]], base);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('colours by category in first-appearance order, with a legend', () => {
    const svg = chartSvg(scatterSpec([[0, 0], [10, 10], [5, 5]], { ...base, categories: ['snare', 'kick', 'snare'], legendTitle: 'class' }));
    expect(texts(svg, 'legend-title')).toEqual(['class']);
    expect(texts(svg, 'legend-label')).toEqual(['snare', 'kick']);
    const d = dots(svg).sort((a, b) => a.x - b.x);
    expect(colorDistance(d[0]!.fill, rgb(categoryColor(0)))).toBeLessThanOrEqual(1);
    expect(colorDistance(d[2]!.fill, rgb(categoryColor(1)))).toBeLessThanOrEqual(1);
  });

  it('colours by value with viridis (low dark, high bright), missing values grey, and a titled colour bar', () => {
    const svg = chartSvg(scatterSpec([[0, 0], [10, 10], [5, 5], [2, 8]], { ...base, colors: [100, 900, 500, NaN], colorLabel: 'Spectral centroid (Hz)' }));
    expect(texts(svg, 'legend-title')).toEqual(['Spectral centroid (Hz)']);
    expect(markItems(svg, 'rect', 'legend-gradient')).toHaveLength(1);
    const labels = texts(svg, 'legend-label');
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(labels.every((l) => !l.includes(','))).toBe(true);
    const d = dots(svg).sort((a, b) => a.x - b.x);
    const at = (x: number) => d.find((p) => Math.abs(p.x - d[0]!.x - ((d[3]!.x - d[0]!.x) * x) / 10) < 0.01)!.fill;
    // vega's viridis and matplotlib's agree to a few levels
    expect(colorDistance(at(0), viridis(0))).toBeLessThanOrEqual(4);
    expect(colorDistance(at(10), viridis(1))).toBeLessThanOrEqual(4);
    expect(colorDistance(at(5), viridis(0.5))).toBeLessThanOrEqual(6);
    expect(at(2)).toEqual([187, 187, 187]);
  });

  it('draws 7500 points within the figure', () => {
    const pts: number[][] = [];
    for (let i = 0; i < 7500; i++) pts.push([Math.cos(i) * (i % 97), Math.sin(i * 1.3) * (i % 89)]);
    const h = parsePngHeader(scatterPng(pts, { ...base, subtitle: 'PCA projection of 8-D latent', colors: pts.map((p) => p[0] as number) }));
    expect([h.width, h.height]).toEqual([800, 640]);
  });

  it('rejects mismatched or malformed input with UserErrors', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => scatterPng([[0, 0]], { ...base, colors: [1, 2] }), /2 colour values for 1 points/],
      [() => scatterPng([[0, 0]], { ...base, categories: [] }), /0 categories/],
      [() => scatterPng([[0, 0]], { ...base, colors: [1], categories: ['a'] }), /either/],
      [() => scatterPng([[0, 0], [1]], base), /point 1 has 1 coordinate/],
      [() => scatterPng([[0, NaN]], base), /point 0 is not finite/],
      [() => scatterPng([[0, 0]], { ...base, xRange: [1, 1] }), /xRange/],
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
});

describe('interleavedOrder', () => {
  it('is a permutation that mixes consecutive indices', () => {
    for (let n = 0; n <= 120; n++) {
      const order = interleavedOrder(n);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const first = interleavedOrder(1000).slice(0, 10);
    expect(new Set(first.map((i) => Math.floor(i / 100))).size).toBeGreaterThan(3);
  });
});
