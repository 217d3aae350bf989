/**
 * Values a user typed (or a file held) are echoed in messages so that the user can find them, but a message must
 * stay readable and bounded: a 1 MB `name:` or a binary file read as YAML must not come back in full.
 */

/** The most characters of one echoed value (ellipsis included; the length note after a cut comes on top). */
export const ECHO_LIMIT = 80;

/**
 * `text` cut to `max` characters with an ellipsis and its full length, e.g. `aaaa… (1000000 characters)`. Control
 * characters show as escapes (\n, \u0000) so that a binary value cannot garble the terminal or split the message.
 */
export function clip(text: string, max = ECHO_LIMIT): string {
  return render(text, max, escapeControl, '', '');
}

/** A string for "…, got X": quoted (so that "1" and 1 read differently), escaped as JSON, and clipped like clip(). */
export function quoteClipped(text: string, max = ECHO_LIMIT): string {
  return render(text, max, (ch) => JSON.stringify(ch).slice(1, -1), '"', '"');
}

function render(text: string, max: number, renderChar: (ch: string) => string, open: string, close: string): string {
  const budget = Math.max(1, max - open.length - close.length);
  const whole = prefix(text, budget, renderChar);
  if (whole.taken === text.length) return `${open}${whole.out}${close}`;
  const cut = prefix(text, budget - 1, renderChar); // room for the ellipsis
  return `${open}${cut.out}…${close} (${text.length} characters)`;
}

/**
 * The longest rendered prefix of `text` that fits in `budget` characters. for…of walks code points, so a cut never
 * splits a surrogate pair, and each character is escaped before it is counted, so a cut never splits an escape.
 */
function prefix(text: string, budget: number, renderChar: (ch: string) => string): { out: string; taken: number } {
  let out = '';
  let taken = 0;
  for (const ch of text) {
    const r = renderChar(ch);
    if (out.length + r.length > budget) break;
    out += r;
    taken += ch.length;
  }
  return { out, taken };
}

function escapeControl(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code >= 0x20 && code !== 0x7f) return ch;
  if (ch === '\n') return '\\n';
  if (ch === '\t') return '\\t';
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
