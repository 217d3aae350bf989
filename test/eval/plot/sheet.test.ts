import { contactSheetPng, renderContactSheet } from '../../../src/eval/plot/sheet';
import { toPng } from '../../../src/eval/plot/canvas';
import { WAVEFORM_COLOR } from '../../../src/eval/plot/waveform';
import { isUserError } from '../../../src/errors';
import { colorDistance, decodePng, isBackground, parsePngHeader } from './png-helpers';

function cells(n: number) {
  return Array.from({ length: n }, (_, i) => ({ samples: new Float32Array(500).fill(i % 2 === 0 ? 0 : 0.5), label: `cell ${i}` }));
}

describe('contactSheetPng', () => {
  it('lays cells out row by row in the given number of columns', () => {
    const { surface, boxes } = renderContactSheet(cells(5), 2, { title: 'Grid', cellWidth: 150, cellHeight: 90 });
    const h = parsePngHeader(toPng(surface));
    expect([h.width, h.height]).toEqual([surface.width, surface.height]);
    expect(boxes).toHaveLength(5);
    expect(boxes[1]!.y).toBe(boxes[0]!.y);
    expect(boxes[1]!.x - boxes[0]!.x).toBe(150);
    expect(boxes[2]!.x).toBe(boxes[0]!.x);
    expect(boxes[2]!.y - boxes[0]!.y).toBe(90);
    expect(boxes[4]!.y - boxes[0]!.y).toBe(180);
    expect(surface.width).toBeGreaterThanOrEqual(300);
    expect(surface.height).toBeGreaterThanOrEqual(270);
  });

  it('draws silence on the zero line and a DC cell above it, on one shared scale', () => {
    const { surface, boxes } = renderContactSheet(cells(2), 2);
    const img = decodePng(toPng(surface));
    const [silent, dc] = boxes as [typeof boxes[0], typeof boxes[0]];
    const zero = (b: typeof silent) => Math.floor(b.y + b.height / 2);
    const mid = (b: typeof silent) => b.x + b.width / 2;
    expect(colorDistance(img.at(mid(silent), zero(silent)), WAVEFORM_COLOR)).toBeLessThanOrEqual(2);
    expect(isBackground(img.at(mid(silent), zero(silent) - 10))).toBe(true);
    // amplitude 0.5 on a ±1 scale sits a quarter of the box height above the centre
    const y = Math.floor(dc.y + dc.height / 2 - dc.height / 4);
    expect(colorDistance(img.at(mid(dc), y), WAVEFORM_COLOR)).toBeLessThanOrEqual(2);
    expect(isBackground(img.at(mid(dc), y - 4))).toBe(true);
  });

  it('makes a 64-cell sheet for an 8x8 grid', () => {
    const h = parsePngHeader(contactSheetPng(cells(64), 8, { title: '8×8' }));
    expect(h.width).toBeGreaterThan(8 * 200);
  });

  it('rejects an empty sheet, bad column counts and sheets too large to draw', () => {
    for (const [f, re] of [
      [() => contactSheetPng([], 2), /no cells/],
      [() => contactSheetPng(cells(2), 0), /columns/],
      [() => contactSheetPng(cells(100), 100, { cellWidth: 200 }), /smaller cellWidth/],
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
