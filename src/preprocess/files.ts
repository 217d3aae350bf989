import * as fs from 'fs';
import * as path from 'path';
import { UserError, errorMessage } from '../errors';
import { AUDIO_EXTENSIONS } from '../audio';
import { DATASET_JSON } from '../data/format';
import { specialFileKind } from '../util/file-kind';
import { quoteClipped } from '../util/clip';

/** One input file to process, with the names it will carry in the dataset. */
export interface InputFile {
  /** Absolute path to read. */
  absPath: string;
  /** Path relative to the inputs' common folder, `/`-separated (dataset.json, messages). */
  relPath: string;
  /** Relative path of the per-file output WAV, `/`-separated. */
  outputRel: string;
}

export interface DiscoverOptions {
  /** Files and/or folders as given by the user. */
  inputs: string[];
  /** The output folder, never read as input even when it lies inside an input folder. */
  output?: string;
  recursive: boolean;
  /** Extensions to accept (without dot, any case); default: every format src/audio reads. */
  extensions?: string[];
}

export interface Discovery {
  files: InputFile[];
  /** Folder that relative paths are relative to. */
  base: string;
  /**
   * What was found in the folders but cannot be read as a file, with the reason (reported like skipped files): folders
   * that could not be listed, links that lead nowhere or in a loop, FIFOs, devices and sockets.
   */
  unreadable: { relPath: string; reason: string }[];
  /** Files in folders passed over for their extension (not audio, or filtered out by --ext). */
  ignored: number;
  /**
   * Folders inside the inputs that are sampgen datasets (they hold dataset.json), passed over: an earlier
   * `preprocess in in/ds` must not feed in/ds's WAVs into `preprocess in in/ds2`. Named as an input, one is read.
   */
  datasets: string[];
}

/** Normalizes an --ext list ("wav, .FLAC") and checks each against the formats we can decode. */
export function normalizeExtensions(list: string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const supported = supportedExtensions();
  const out = new Set<string>();
  for (const item of list.flatMap((s) => s.split(','))) {
    const ext = item.trim().replace(/^\./, '').toLowerCase();
    if (!ext) continue;
    if (!supported.includes(ext)) {
      throw new UserError(`--ext: ${quoteClipped(item.trim())} is not an audio format sampgen reads (supported: ${supported.join(', ')})`);
    }
    out.add(ext);
  }
  if (out.size === 0) throw new UserError('--ext: no extension given');
  return [...out].sort();
}

function supportedExtensions(): string[] {
  return [...AUDIO_EXTENSIONS].map((e) => e.replace(/^\./, '').toLowerCase());
}

/**
 * Lists the audio files under the inputs, sorted by relative path so that every run (whatever --jobs) sees the
 * same order. Folders are walked (recursively unless told otherwise) skipping hidden entries and the output
 * folder; files named explicitly are always taken (a non-audio one is later skipped with its decode reason).
 * Relative paths are taken from the inputs' common folder, so several input folders keep their own names.
 */
export function discoverInputs(opts: DiscoverOptions): Discovery {
  if (opts.inputs.length === 0) throw new UserError('no input given: name at least one audio file or folder');
  const exts = new Set(opts.extensions ?? supportedExtensions());
  const outputAbs = opts.output ? path.resolve(opts.output) : undefined;
  const outputReal = outputAbs && fs.existsSync(outputAbs) ? fs.realpathSync(outputAbs) : undefined;
  const isOutput = (abs: string, real: string) => abs === outputAbs || real === outputReal;

  const roots: { abs: string; isDir: boolean }[] = [];
  for (const input of opts.inputs) {
    const abs = path.resolve(input);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(code === 'ENOENT' ? `input ${input} does not exist` : `cannot read input ${input}: ${errorMessage(err)}`);
    }
    if (!st.isDirectory() && !st.isFile()) throw new UserError(`input ${input} is neither a file nor a folder`);
    if (st.isDirectory() && isOutput(abs, fs.realpathSync(abs))) {
      throw new UserError(`input ${input} is the output folder itself; choose another output folder`);
    }
    roots.push({ abs, isDir: st.isDirectory() });
  }
  const base = commonFolder(roots.map((r) => (r.isDir ? r.abs : path.dirname(r.abs))));

  const found = new Map<string, string>(); // absPath -> relPath (dedupes an input named twice)
  const unreadable: Discovery['unreadable'] = [];
  const datasets: string[] = [];
  let ignored = 0;
  const rel = (abs: string) => toPosix(path.relative(base, abs)) || path.basename(abs);

  const walk = (dir: string, visited: Set<string>) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      unreadable.push({ relPath: rel(dir), reason: `unreadable folder: ${errorMessage(err)}` });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // hidden files and folders (also our own temp files)
      const abs = path.join(dir, entry.name);
      let kind: fs.Dirent | fs.Stats = entry;
      if (entry.isSymbolicLink()) {
        try {
          kind = fs.statSync(abs);
        } catch (err) {
          unreadable.push({ relPath: rel(abs), reason: brokenLinkReason(abs, err) });
          continue;
        }
      }
      const isDir = kind.isDirectory();
      if (!isDir && !kind.isFile()) {
        // Reading a FIFO would block until something writes to it; a device may never end.
        unreadable.push({ relPath: rel(abs), reason: `${specialFileKind(kind)}, not a regular file` });
        continue;
      }
      if (isDir) {
        if (!opts.recursive) continue;
        let real: string;
        try {
          real = fs.realpathSync(abs);
        } catch (err) {
          unreadable.push({ relPath: rel(abs), reason: `unreadable folder: ${errorMessage(err)}` });
          continue;
        }
        if (isOutput(abs, real) || visited.has(real)) continue; // output folder; a link cycle
        if (fs.existsSync(path.join(abs, DATASET_JSON))) {
          datasets.push(rel(abs));
          continue;
        }
        walk(abs, new Set([...visited, real]));
      } else {
        if (exts.has(path.extname(entry.name).slice(1).toLowerCase())) found.set(abs, rel(abs));
        else ignored++;
      }
    }
  };

  for (const root of roots) {
    if (root.isDir) walk(root.abs, new Set([fs.realpathSync(root.abs)]));
    else found.set(root.abs, rel(root.abs));
  }

  // One file reached twice (a folder link to a sibling folder, a link to a file) would be two rows of one sound, which
  // can land in both the training and the validation split: keep one (the path that is not through a link, else the
  // first by name) and list the others.
  const realOf = (abs: string): string => {
    try {
      return fs.realpathSync(abs);
    } catch {
      return abs; // vanished: reading it will say so
    }
  };
  const byName = [...found.entries()].sort((a, b) => compareStrings(a[1], b[1]));
  const keep = new Map<string, [string, string]>();
  for (const [abs, relPath] of byName) {
    const real = realOf(abs);
    const kept = keep.get(real);
    if (!kept || (kept[0] !== real && abs === real)) keep.set(real, [abs, relPath]);
  }
  const sorted = byName.filter(([abs, relPath]) => {
    const kept = keep.get(realOf(abs))!;
    if (kept[0] === abs) return true;
    unreadable.push({ relPath, reason: `the same file as ${kept[1]} (reached again through a symbolic link)` });
    return false;
  });
  const outputs = assignOutputNames(sorted.map(([, r]) => r));
  const files = sorted.map(([absPath, relPath], i) => ({ absPath, relPath, outputRel: outputs[i]! }));
  unreadable.sort((a, b) => compareStrings(a.relPath, b.relPath));
  datasets.sort(compareStrings);
  return { files, base, unreadable, ignored, datasets };
}

/** Why a symbolic link cannot be followed: it leads nowhere, or around in a loop. */
function brokenLinkReason(abs: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'a loop of symbolic links';
  let target = '?';
  try {
    target = fs.readlinkSync(abs);
  } catch {
    /* vanished meanwhile */
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') return `a symbolic link to ${target}, which does not exist`;
  return `a symbolic link to ${target} that cannot be followed: ${errorMessage(err)}`;
}


/**
 * Output WAV names: the source name with extension .wav. Sources that would collide (kick.wav next to
 * kick.flac, or names differing only in case, which collide on macOS/Windows) keep their own extension in the
 * name (kick.flac.wav), and any that still collide get a number (kick~2.wav), in sorted order so the names are
 * stable.
 */
export function assignOutputNames(relPaths: string[]): string[] {
  const plain = relPaths.map((r) => replaceExt(r, '.wav'));
  const counts = new Map<string, number>();
  for (const p of plain) counts.set(p.toLowerCase(), (counts.get(p.toLowerCase()) ?? 0) + 1);
  const taken = new Set<string>();
  return relPaths.map((r, i) => {
    let name = plain[i]!;
    if (counts.get(name.toLowerCase())! > 1 && path.posix.extname(r).toLowerCase() !== '.wav') name = r + '.wav';
    let candidate = name;
    for (let k = 2; taken.has(candidate.toLowerCase()); k++) candidate = replaceExt(name, '') + `~${k}.wav`;
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

function replaceExt(p: string, ext: string): string {
  const e = path.posix.extname(p);
  return (e ? p.slice(0, -e.length) : p) + ext;
}

/** Plain code-unit order: the same on every machine and locale (localeCompare is not). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** The deepest folder containing all the given absolute folders. */
function commonFolder(dirs: string[]): string {
  let common = dirs[0]!;
  for (const d of dirs.slice(1)) {
    while (common !== path.dirname(common) && !(d === common || d.startsWith(common.endsWith(path.sep) ? common : common + path.sep))) {
      common = path.dirname(common);
    }
  }
  return common;
}
