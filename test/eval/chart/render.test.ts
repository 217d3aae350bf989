import { chartPng, chartSvg, chartSvgAsync, compileSpec } from '../../../src/eval/chart/render';
import { heatmapSpec, lineChartSpec, scatterSpec } from '../../../src/eval/chart/specs';
import { parsePngHeader } from '../plot/png-helpers';
import { markItems, svgSize } from './svg-helpers';

const series = [
  { name: 'a', x: [1, 2, 3], y: [1, 0.5, 0.25] },
  { name: 'b', x: [1, 2, 3], y: [2, 1, 0.7] },
];

describe('chart rendering in Node', () => {
  it('draws the same SVG synchronously as vega\'s own asynchronous toSVG', async () => {
    for (const spec of [
      lineChartSpec(series, { title: 't', xLabel: 'x', yLabel: 'y', logY: true, legendTitle: 'run' }),
      scatterSpec([[0, 0], [1, 2], [2, 1]], { title: 's', xLabel: 'x', yLabel: 'y', colors: [1, 2, 3], colorLabel: 'c' }),
      heatmapSpec([[1, null], [3, 4]], ['r1', 'r2'], ['c1', 'c2'], { title: 'h' }),
    ]) {
      expect(chartSvg(spec)).toBe(await chartSvgAsync(spec));
    }
  });

  it('rasterises at the figure size', () => {
    const svg = chartSvg(lineChartSpec(series, { title: 't', xLabel: 'x', yLabel: 'y', width: 640, height: 360 }));
    expect(svgSize(svg)).toEqual([640, 360]);
    const h = parsePngHeader(chartPng(lineChartSpec(series, { title: 't', xLabel: 'x', yLabel: 'y', width: 640, height: 360 })));
    expect([h.width, h.height]).toEqual([640, 360]);
  });

  it('treats a vega-lite warning as an error (a dropped encoding would draw a wrong chart silently)', () => {
    expect(() => compileSpec({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative', scale: { type: 'log', zero: true } } } })).toThrow(/vega-lite: .*zero/);
  });

  it('compiles the page\'s interactive variants without a warning, with their selections', () => {
    const compiled = [
      compileSpec(lineChartSpec(series, { title: 't', xLabel: 'x', yLabel: 'y', interactive: true })),
      compileSpec(lineChartSpec([{ name: 'long', x: Array.from({ length: 80 }, (_, i) => i), y: Array.from({ length: 80 }, () => 1) }], { title: 't', xLabel: 'x', yLabel: 'y', interactive: true, logY: true })),
      compileSpec(scatterSpec([[0, 0], [1, 1]], { title: 's', xLabel: 'x', yLabel: 'y', categories: ['a', 'b'], interactive: true })),
      compileSpec(heatmapSpec([[1, 2]], ['r'], ['c1', 'c2'], { title: 'h', cellNotes: [['2 runs', '1 run']], interactive: true })),
    ].map((c) => JSON.stringify(c));
    expect(compiled[0]).toMatch(/"pick_store"/);
    expect(compiled[0]).toMatch(/"hover_store"/);
    expect(compiled[2]).toMatch(/"pick_store"/);
    expect(compiled[3]).toMatch(/tooltip/);
  });

  it('draws the interactive variant with the same marks as the PNG\'s', () => {
    const svg = chartSvg(lineChartSpec(series, { title: 't', xLabel: 'x', yLabel: 'y', interactive: true }));
    expect(markItems(svg, 'line', 'mark')).toHaveLength(2);
    expect(markItems(svg, 'symbol', 'mark')).toHaveLength(6);
  });
});
