/**
 * Drum classes of one-shots, for labelled datasets (issue 13): from the folder layout (`kick/…`, `snare/…`), from
 * file names through a pattern table, or from a CSV of `path,class`. Pure functions; preprocess records the class of
 * every row.
 *
 * Names are matched by word, not by substring (`Snare` in `SnareRimshot-Med.wav`, but not `sn` in `synth.wav`): a name
 * is split into lower-case tokens at anything that is not a letter or digit, at lower→upper case changes
 * (`HatClosed` → hat, closed) and between letters and digits (`Tom1`, `24Ride`); two adjacent tokens also match as
 * one word (`Side`+`Stick` → sidestick, `bass`+`drum` → bassdrum), and a plural as its singular (`Snares` → snare).
 */
import * as fs from 'fs';
import { parse } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { UserError, errorMessage } from '../errors';
import { classFromFolders, classFromName, DEFAULT_LABEL_TABLE, DRUM_CLASSES, DrumClass, LabelRule } from './label-names';

// The pure rules live in label-names.ts (the audition page bundles them); every importer of labels.ts still finds them here.
export { classFromFolders, classFromName, DEFAULT_LABEL_TABLE, DRUM_CLASSES, nameWords } from './label-names';
export type { DrumClass, LabelRule } from './label-names';

/** How rows get their class (for `preprocess --labels`, issue 13). `auto`: the folders where they name a class, else the file name. */
export type LabelSource = { kind: 'auto' | 'folder' | 'name' | 'none' } | { kind: 'csv'; file: string; classes: Map<string, DrumClass> };

/** The class of one input under a label source; `unknown` when the source has none for it. */
export function classOf(relPath: string, source: LabelSource, table: readonly LabelRule[] = DEFAULT_LABEL_TABLE): DrumClass {
  const fileName = relPath.split('/').at(-1)!;
  switch (source.kind) {
    case 'none':
      return 'unknown';
    case 'folder':
      return classFromFolders(relPath, table) ?? 'unknown';
    case 'name':
      return classFromName(fileName, table) ?? 'unknown';
    case 'auto':
      return classFromFolders(relPath, table) ?? classFromName(fileName, table) ?? 'unknown';
    case 'csv':
      return source.classes.get(relPath) ?? 'unknown';
  }
}

/**
 * A CSV of `path,class` (a header row `path,class` is optional): paths relative to the inputs' common folder with `/`
 * separators, as dataset.json lists them; classes from DRUM_CLASSES (their aliases through the table: `bd` is kick).
 * Any other class, a repeated path or a malformed line is a UserError naming the file and line.
 */
export function readLabelCsv(file: string, table: readonly LabelRule[] = DEFAULT_LABEL_TABLE): LabelSource {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`--labels ${file}: cannot read the CSV: ${errorMessage(err)}`);
  }
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false }) as string[][];
  } catch (err) {
    throw new UserError(`--labels ${file}: not a valid CSV: ${errorMessage(err)}`);
  }
  const classes = new Map<string, DrumClass>();
  records.forEach((record, i) => {
    const line = i + 1;
    if (i === 0 && record[0]?.toLowerCase() === 'path' && record[1]?.toLowerCase() === 'class') return;
    if (record.length !== 2 || record[0] === '') throw new UserError(`--labels ${file}:${line}: expected two columns, path,class`);
    const [relPath, given] = record as [string, string];
    const label = (DRUM_CLASSES as readonly string[]).includes(given.toLowerCase()) ? (given.toLowerCase() as DrumClass) : classFromName(given, table);
    if (!label) throw new UserError(`--labels ${file}:${line}: class ${JSON.stringify(given)} is not one of ${DRUM_CLASSES.join(', ')}`);
    if (classes.has(relPath)) throw new UserError(`--labels ${file}:${line}: ${relPath} is listed twice`);
    classes.set(relPath, label);
  });
  return { kind: 'csv', file, classes };
}

/**
 * A user's own rules (`preprocess --label-rules <file>`), tried before the default table: a YAML or JSON list of
 * `{class, words, also?}` entries, e.g. `- {class: perc, words: [shaker, tamb]}` or `- {class: kick, words: [boom]}`.
 * Words are matched as the default table's are (whole words, lower case, letters and digits). Anything else is a
 * UserError naming the file and the entry.
 */
export function readLabelRules(file: string): LabelRule[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`--label-rules ${file}: cannot read it: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new UserError(`--label-rules ${file}: not valid YAML/JSON: ${errorMessage(err)}`);
  }
  const example = 'e.g. "- {class: perc, words: [shaker, tamb]}"';
  if (!Array.isArray(parsed) || parsed.length === 0) throw new UserError(`--label-rules ${file}: expected a non-empty list of rules, ${example}`);
  const word = (w: unknown) => typeof w === 'string' && /^[a-z0-9]+$/.test(w);
  return parsed.map((entry, i) => {
    const where = `--label-rules ${file}: rule ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new UserError(`${where}: expected a mapping with class and words, ${example}`);
    const { class: label, words, also, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new UserError(`${where}: unknown key(s) ${extra.join(', ')} (known: class, words, also)`);
    if (typeof label !== 'string' || !(DRUM_CLASSES as readonly string[]).includes(label)) {
      throw new UserError(`${where}: class ${JSON.stringify(label)} is not one of ${DRUM_CLASSES.join(', ')}`);
    }
    for (const [key, list] of [['words', words], ['also', also]] as const) {
      if (key === 'also' && list === undefined) continue;
      if (!Array.isArray(list) || list.length === 0 || !list.every(word)) {
        throw new UserError(`${where}: ${key} must be a non-empty list of lower-case words (letters and digits), got ${JSON.stringify(list)}`);
      }
    }
    return { label: label as DrumClass, words: words as string[], ...(also ? { also: also as string[] } : {}) };
  });
}

/** Rows per class, every class listed (0 where none), in DRUM_CLASSES order. */
export function classCounts(labels: readonly DrumClass[]): Record<DrumClass, number> {
  const counts = Object.fromEntries(DRUM_CLASSES.map((c) => [c, 0])) as Record<DrumClass, number>;
  for (const label of labels) counts[label]++;
  return counts;
}
