import { interleavedOrder, renderScatter, scatterPng } from '../../../src/eval/plot/scatter';
import { toPng } from '../../../src/eval/plot/canvas';
import { categoryColor, viridis } from '../../../src/eval/plot/colormap';
import { isUserError } from '../../../src/errors';
import { colorDistance, decodePng, isBackground, overWhite, parsePngHeader } from './png-helpers';

const base = { title: 'Latent map', xLabel: 'z1', yLabel: 'z2' };

describe('scatterPng', () => {
  it('returns a PNG of the requested size', () => {
    const h = parsePngHeader(scatterPng([[0, 0], [1, 1]], { ...base, width: 500, height: 420 }));
    expect([h.width, h.height]).toEqual([500, 420]);
  });

  it('draws a point at the centre of the data range near the plot centre, and leaves an empty corner empty', () => {
    const chart = renderScatter([[-1, -1], [1, 1], [0, 0]], { ...base, width: 600, height: 500 });
    const img = decodePng(toPng(chart.surface));
    const { area } = chart;
    const cx = area.x + area.width / 2;
    const cy = area.y + area.height / 2;
    expect(Math.abs(chart.x.toPx(0) - cx)).toBeLessThan(1);
    const centre = img.at(cx, cy);
    expect(isBackground(centre)).toBe(false);
    // translucent dots are blended in 8 bits (premultiplied), a few levels off the exact mix
    expect(colorDistance(centre, overWhite(categoryColor(0), 0.8))).toBeLessThanOrEqual(8);
    // the top-left corner holds no point (data at (-1, 1) is absent)
    for (let dx = 4; dx < 40; dx += 3) for (let dy = 4; dy < 40; dy += 3) expect(isBackground(img.at(area.x + dx, area.y + dy))).toBe(true);
  });

  it('accepts {x, y} objects and coordinate arrays alike', () => {
    const a = scatterPng([{ x: 0, y: 1 }, { x: 2, y: -1 }], base);
    const b = scatterPng([[0, 1], [2, -1]], base);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('colours by category, with the first category in the first palette colour', () => {
    const chart = renderScatter([[0, 0], [10, 10]], { ...base, categories: ['kick', 'snare'], xRange: [-1, 11], yRange: [-1, 11] });
    const img = decodePng(toPng(chart.surface));
    const at = (x: number, y: number) => img.at(chart.x.toPx(x), chart.y.toPx(y));
    expect(colorDistance(at(0, 0), overWhite(categoryColor(0), 0.8))).toBeLessThanOrEqual(8);
    expect(colorDistance(at(10, 10), overWhite(categoryColor(1), 0.8))).toBeLessThanOrEqual(8);
  });

  it('colours by value with viridis: low dark, high bright', () => {
    const chart = renderScatter([[0, 0], [10, 10], [5, 5]], { ...base, colors: [100, 900, 500], alpha: 1, pointRadius: 4 });
    const img = decodePng(toPng(chart.surface));
    const at = (x: number, y: number) => img.at(chart.x.toPx(x), chart.y.toPx(y));
    expect(colorDistance(at(0, 0), viridis(0))).toBeLessThanOrEqual(2);
    expect(colorDistance(at(10, 10), viridis(1))).toBeLessThanOrEqual(2);
    expect(colorDistance(at(5, 5), viridis(0.5))).toBeLessThanOrEqual(2);
  });

  it('draws ~7500 points quickly enough for a test and within the figure', () => {
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
