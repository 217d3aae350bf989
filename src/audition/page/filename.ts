/**
 * The name a saved sample gets: the model's name and the latent point, e.g. `snare-small_z0.300_-0.500.wav`, so
 * that `sampgen generate --z 0.300,-0.500` (to three decimals) makes the same sample again; a conditional model's
 * samples name the condition too (`drums_snare-v0.80_z0.300_-0.500.wav`: `--class snare --velocity 0.80`). Points of more than
 * MAX_NAMED_COORDS dimensions name their first few coordinates plus a hash of all of them, to keep names short
 * and still distinct.
 */

export const MAX_NAMED_COORDS = 6;

/** Characters that are safe in a file name on every common file system. */
function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return s === '' ? 'sample' : s;
}

function coord(x: number): string {
  const s = x.toFixed(3);
  return s === '-0.000' ? '0.000' : s;
}

/** FNV-1a (32-bit) of the coordinates' text: a stable short tag for a long point. */
function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** `condition`: a conditional model's request as a label ("snare-v0.80", conditioning.ts choiceLabel), put before the point. */
export function sampleFileName(modelName: string, point: readonly number[], condition?: string): string {
  const coords = point.map(coord);
  const shown = coords.length > MAX_NAMED_COORDS ? [...coords.slice(0, 4), `h${hashText(coords.join(','))}`] : coords;
  const asked = condition ? `${safeName(condition)}_` : '';
  return `${safeName(modelName)}_${asked}z${shown.join('_')}.wav`;
}
