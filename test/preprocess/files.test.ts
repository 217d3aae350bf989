import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverInputs, assignOutputNames, normalizeExtensions } from '../../src/preprocess/files';
import { isUserError } from '../../src/errors';

function touch(root: string, rel: string): void {
  const p = path.join(root, ...rel.split('/'));
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, 'x');
}

function userError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    expect(isUserError(err)).toBe(true);
    return err as Error;
  }
  throw new Error('expected a UserError');
}

describe('discoverInputs', () => {
  let tmp: string;
  let lib: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-files-'));
    lib = path.join(tmp, 'lib');
    for (const f of ['b.wav', 'a.WAV', 'kit/z.flac', 'kit/deep/y.aiff', 'notes.txt', '.hidden.wav', '.git/x.wav', 'kit/c.aif']) {
      touch(lib, f);
    }
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('recursive, sorted, hidden entries skipped, other extensions counted as ignored', () => {
    const d = discoverInputs({ inputs: [lib], recursive: true });
    expect(d.base).toBe(lib);
    expect(d.files.map((f) => f.relPath)).toEqual(['a.WAV', 'b.wav', 'kit/c.aif', 'kit/deep/y.aiff', 'kit/z.flac']);
    expect(d.files.map((f) => f.outputRel)).toEqual(['a.wav', 'b.wav', 'kit/c.wav', 'kit/deep/y.wav', 'kit/z.wav']);
    expect(d.files[0]!.absPath).toBe(path.join(lib, 'a.WAV'));
    expect(d.ignored).toBe(1); // notes.txt
  });

  test('--no-recursive and --ext filters', () => {
    expect(discoverInputs({ inputs: [lib], recursive: false }).files.map((f) => f.relPath)).toEqual(['a.WAV', 'b.wav']);
    const flac = discoverInputs({ inputs: [lib], recursive: true, extensions: normalizeExtensions(['.FLAC, aiff']) });
    expect(flac.files.map((f) => f.relPath)).toEqual(['kit/deep/y.aiff', 'kit/z.flac']);
    expect(userError(() => normalizeExtensions(['wav,mp9'])).message).toMatch(/"mp9" is not an audio format/);
  });

  test('the output folder is never read, even inside the input folder', () => {
    touch(lib, 'out/old.wav');
    touch(lib, 'out/sub/older.wav');
    const d = discoverInputs({ inputs: [lib], output: path.join(lib, 'out'), recursive: true });
    expect(d.files.some((f) => f.relPath.startsWith('out/'))).toBe(false);
    expect(d.files).toHaveLength(5);
    // A relative spelling of the same folder is recognized too.
    const rel = path.relative(process.cwd(), path.join(lib, 'out'));
    expect(discoverInputs({ inputs: [lib], output: rel, recursive: true }).files).toHaveLength(5);
  });

  test('several inputs: paths relative to their common folder; explicit files taken whatever their extension', () => {
    touch(tmp, 'other/k.wav');
    touch(tmp, 'other/readme.md');
    const d = discoverInputs({ inputs: [path.join(lib, 'kit'), path.join(tmp, 'other', 'readme.md'), path.join(tmp, 'other')], recursive: true });
    expect(d.base).toBe(tmp);
    expect(d.files.map((f) => f.relPath)).toEqual(['lib/kit/c.aif', 'lib/kit/deep/y.aiff', 'lib/kit/z.flac', 'other/k.wav', 'other/readme.md']);
    // One file alone: relative to its own folder.
    const one = discoverInputs({ inputs: [path.join(lib, 'kit', 'z.flac')], recursive: true });
    expect(one.files.map((f) => [f.relPath, f.outputRel])).toEqual([['z.flac', 'z.wav']]);
  });

  test('missing input, and empty folders, are handled', () => {
    expect(userError(() => discoverInputs({ inputs: [path.join(tmp, 'nope')], recursive: true })).message).toMatch(/nope does not exist/);
    expect(userError(() => discoverInputs({ inputs: [], recursive: true })).message).toMatch(/no input/);
    fs.mkdirSync(path.join(tmp, 'empty'));
    expect(discoverInputs({ inputs: [path.join(tmp, 'empty')], recursive: true }).files).toEqual([]);
  });

  test('a symlink cycle does not loop', () => {
    fs.symlinkSync(lib, path.join(lib, 'kit', 'loop'));
    const d = discoverInputs({ inputs: [lib], recursive: true });
    expect(d.files.map((f) => f.relPath)).toEqual(['a.WAV', 'b.wav', 'kit/c.aif', 'kit/deep/y.aiff', 'kit/z.flac']);
  });
});

describe('assignOutputNames', () => {
  test('.wav names, with colliding sources keeping their extension and then a number', () => {
    expect(assignOutputNames(['kick.flac', 'kick.wav', 'snare.aiff', 'Kick.aif', 'x/kick.flac'])).toEqual([
      'kick.flac.wav',
      'kick.wav',
      'snare.wav',
      'Kick.aif.wav',
      'x/kick.wav',
    ]);
    expect(assignOutputNames(['a.WAV', 'a.wav'])).toEqual(['a.wav', 'a~2.wav']);
  });
});
