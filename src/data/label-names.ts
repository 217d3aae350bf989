/**
 * Drum class names and the word rules that tell them from a file or folder name (issue 13): the part of labels.ts
 * with no Node modules, so that the audition page bundles the very rules preprocess and encode use (a dropped
 * file's class from its name). labels.ts re-exports all of it; see there for how names are split into words.
 */

/** The classes, in the order tables and reports list them; `unknown` is a row no rule named. */
export const DRUM_CLASSES = ['kick', 'snare', 'hat-closed', 'hat-open', 'tom', 'clap', 'cymbal', 'perc', 'unknown'] as const;
export type DrumClass = (typeof DRUM_CLASSES)[number];

/** One rule: a class and the words that name it; `also` words must appear too (open hats are hats named open). */
export interface LabelRule {
  label: DrumClass;
  words: readonly string[];
  also?: readonly string[];
}

/**
 * The default table, tried in order (the first rule whose words match wins): an open hat before a hat, so that
 * `HatOpen` is open and `HatPedal` closed; specific percussion (cowbell, bell) after the cymbals, so that a ride bell
 * is a cymbal. Every function takes a table: `preprocess --label-rules <file>` puts a user's own rules before these
 * (readLabelRules).
 */
export const DEFAULT_LABEL_TABLE: readonly LabelRule[] = [
  { label: 'kick', words: ['kick', 'kik', 'bd', 'bassdrum', 'kickdrum'] },
  { label: 'snare', words: ['snare', 'sd', 'sn', 'rim', 'rimshot', 'sidestick'] },
  { label: 'hat-open', words: ['hat', 'hh', 'hihat', 'hats'], also: ['open', 'semiopen', 'opened'] },
  { label: 'hat-open', words: ['ohh', 'openhat'] },
  { label: 'hat-closed', words: ['hat', 'hh', 'hihat', 'hats', 'chh', 'closedhat'] },
  { label: 'tom', words: ['tom', 'toms', 'floortom', 'tomfloor'] },
  { label: 'clap', words: ['clap', 'handclap', 'claps'] },
  { label: 'cymbal', words: ['cymbal', 'crash', 'ride', 'china', 'splash', 'cym'] },
  { label: 'perc', words: ['perc', 'percussion', 'cowbell', 'bell', 'clave', 'conga', 'bongo', 'shaker', 'tambourine', 'tamb', 'block', 'guiro', 'cabasa'] },
];

/** Lower-case words of a name (see the file comment), plus each pair of neighbours joined. */
export function nameWords(name: string): string[] {
  const words = name
    .replace(/\.[A-Za-z0-9]{1,5}$/, '') // the extension
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  const pairs = words.slice(1).map((w, i) => words[i]! + w);
  // Folders are often plural (Snares/, Kicks/, Crashes/): each word also stands for its singular.
  const singulars = words.filter((w) => w.length > 3 && w.endsWith('s')).flatMap((w) => (w.endsWith('es') ? [w.slice(0, -1), w.slice(0, -2)] : [w.slice(0, -1)]));
  return [...words, ...pairs, ...singulars];
}

/** The class a name's words give under `table`, or null when no rule matches. */
export function classFromName(name: string, table: readonly LabelRule[] = DEFAULT_LABEL_TABLE): DrumClass | null {
  const words = new Set(nameWords(name));
  for (const rule of table) {
    if (!rule.words.some((w) => words.has(w))) continue;
    if (rule.also && !rule.also.some((a) => words.has(a))) continue;
    return rule.label;
  }
  return null;
}

/**
 * The class of a file from its folders (`kick/001.wav`, `drums/Snares/x.wav`): the innermost folder whose name the
 * table recognises; null when none does.
 */
export function classFromFolders(relPath: string, table: readonly LabelRule[] = DEFAULT_LABEL_TABLE): DrumClass | null {
  const folders = relPath.split('/').slice(0, -1).reverse();
  for (const folder of folders) {
    const label = classFromName(folder, table);
    if (label) return label;
  }
  return null;
}
