/**
 * Colour maps: viridis for continuous values (perceptually uniform, readable in greyscale and by most colour-blind
 * readers, the matplotlib default the study's readers know) and a categorical palette for labels.
 */

export type Rgb = readonly [number, number, number];

/** matplotlib's viridis sampled at t = 0, 0.1, …, 1; linear interpolation between these stays within 2/255 of the full table. */
const VIRIDIS_STOPS: readonly Rgb[] = [
  '#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c',
  '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725',
].map(hexToRgb);

/** Viridis at t in [0, 1] (clamped; NaN gives the low end). */
export function viridis(t: number): Rgb {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const pos = x * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = VIRIDIS_STOPS[i] as Rgb;
  const b = VIRIDIS_STOPS[i + 1] as Rgb;
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** Tableau 10: distinct at small sizes and on white; the grey is last so it is used only with ten categories. */
const CATEGORY_COLORS: readonly Rgb[] = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
].map(hexToRgb);

/**
 * The colour of category `index`: Tableau 10 first, then hues spaced by the golden angle, which stay apart from
 * each other however many categories (source folders) a data set has.
 */
export function categoryColor(index: number): Rgb {
  if (index < CATEGORY_COLORS.length) return CATEGORY_COLORS[index] as Rgb;
  const hue = ((index - CATEGORY_COLORS.length) * 137.508 + 20) % 360;
  return hslToRgb(hue, 0.55, 0.5);
}

export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const n = Number.parseInt(m[1] as string, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function cssColor(c: Rgb, alpha = 1): string {
  return alpha >= 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`;
}

/** Relative luminance (WCAG), to pick black or white text on a coloured cell. */
export function luminance(c: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

function hslToRgb(h: number, s: number, l: number): Rgb {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const hp = h / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] =
    hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = l - c / 2;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}
