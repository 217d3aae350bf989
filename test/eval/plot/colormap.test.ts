import { categoryColor, hexToRgb, luminance, viridis } from '../../../src/eval/plot/colormap';

describe('viridis', () => {
  it('has matplotlib viridis endpoints and midpoint', () => {
    expect(viridis(0)).toEqual([0x44, 0x01, 0x54]);
    expect(viridis(1)).toEqual([0xfd, 0xe7, 0x25]);
    expect(viridis(0.5)).toEqual([0x21, 0x91, 0x8c]);
  });
  it('clamps outside [0, 1] and maps NaN to the low end', () => {
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(Number.NaN)).toEqual(viridis(0));
  });
  it('grows in luminance from end to end (reads in greyscale)', () => {
    let prev = -1;
    for (let t = 0; t <= 1.0001; t += 0.05) {
      const l = luminance(viridis(t));
      expect(l).toBeGreaterThan(prev);
      prev = l;
    }
  });
});

describe('categoryColor', () => {
  it('gives distinct colours for many categories', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add(categoryColor(i).join(','));
    expect(seen.size).toBe(30);
    expect(categoryColor(0)).toEqual(hexToRgb('#4e79a7'));
  });
});

describe('luminance', () => {
  it('is 0 for black and 1 for white', () => {
    expect(luminance([0, 0, 0])).toBe(0);
    expect(luminance([255, 255, 255])).toBeCloseTo(1, 12);
  });
});
