/**
 * Structural reading of the SVG documents vega writes: the items of a mark group (`<g class="mark-<type> role-<role>
 * …">` holding one element per item) and the texts of a role (axis titles, legend labels), so that chart tests
 * count what was drawn instead of sampling pixels.
 */

/** The items of each group with this mark type and role, one array per group (e.g. one per axis). */
export function markGroups(svg: string, type: string, role: string): string[][] {
  const groups: string[][] = [];
  const open = new RegExp(`<g class="mark-${type} role-${role}(?: [^"]*)?"[^>]*>`, 'g');
  for (const m of svg.matchAll(open)) {
    const start = m.index! + m[0].length;
    // Item groups of these marks hold no nested <g>: the group ends at the first </g>.
    const body = svg.slice(start, svg.indexOf('</g>', start));
    groups.push(body.match(/<(path|text|line)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1>)/g) ?? []);
  }
  return groups;
}

/** The element strings (`<path …/>`, `<text …>…</text>`) of every group with this mark type and role, in document order. */
export function markItems(svg: string, type: string, role: string): string[] {
  return markGroups(svg, type, role).flat();
}

/** The text content of every text item of a role (e.g. 'axis-title', 'legend-label', 'title-text'). */
export function texts(svg: string, role: string): string[] {
  return markItems(svg, 'text', role).map(textOf);
}

/** The texts of each group of a role, e.g. the tick labels of each axis. */
export function textGroups(svg: string, role: string): string[][] {
  return markGroups(svg, 'text', role).map((g) => g.map(textOf));
}

function textOf(item: string): string {
  return decode(/>([\s\S]*?)<\/text>/.exec(item)?.[1] ?? '').replace(/<[^>]+>/g, '');
}

/** An attribute of an item element. */
export function attr(item: string, name: string): string | null {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(item)?.[1] ?? null;
}

/** "rgb(68, 1, 84)" or "#440154" → [68, 1, 84]. */
export function rgb(color: string | null): [number, number, number] {
  if (!color) throw new Error('no colour');
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(color);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{6})$/i.exec(color);
  if (!h) throw new Error(`not a colour: ${color}`);
  const n = Number.parseInt(h[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function colorDistance(a: readonly number[], b: readonly number[]): number {
  return Math.max(Math.abs(a[0]! - b[0]!), Math.abs(a[1]! - b[1]!), Math.abs(a[2]! - b[2]!));
}

/** The svg element's width and height. */
export function svgSize(svg: string): [number, number] {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!m) throw new Error('no svg size');
  return [Number(m[1]), Number(m[2])];
}

function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}
