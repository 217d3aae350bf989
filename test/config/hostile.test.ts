/**
 * Configs that are not configs: a FIFO, a device, a folder, a binary file, an alias bomb, a huge value. Each is a
 * ConfigError (exit 2) naming the file, promptly, with a message of bounded size.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadConfig } from '../../src/config';
import { MAX_CONFIG_BYTES } from '../../src/config/layer';
import { clip, quoteClipped } from '../../src/util/clip';
import { errorLines, tempConfigs } from './helpers';

const DENSE = 'model:\n  type: dense-ae\n  size: small\n  activation: relu\n';

/** The error lines of loading `file` from `dir`, with the folder removed. */
function errorsOf(dir: string, file = 'x.yaml'): string[] {
  return errorLines(() => loadConfig(path.join(dir, file))).map((l) => l.split(dir + path.sep).join(''));
}

const canMakeFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--help']).status === 0;

describe('config files that are not regular files', () => {
  (canMakeFifo ? it : it.skip)('a FIFO, as the config or as its extends, is refused without opening it (reading would block forever)', () => {
    const dir = tempConfigs({ 'x.yaml': DENSE + 'extends: pipe.yaml\n' });
    expect(spawnSync('mkfifo', [path.join(dir, 'pipe.yaml')]).status).toBe(0);
    expect(errorsOf(dir)).toEqual(['x.yaml:5: extends: pipe.yaml: is a FIFO (named pipe), not a regular file']);
    expect(errorsOf(dir, 'pipe.yaml')).toEqual(['pipe.yaml: cannot read config: is a FIFO (named pipe), not a regular file']);
  });

  (fs.existsSync('/dev/zero') ? it : it.skip)('extends: /dev/zero (endless) is refused on the line that says it', () => {
    const dir = tempConfigs({ 'x.yaml': 'extends: /dev/zero\n' + DENSE });
    expect(errorsOf(dir)).toEqual(['x.yaml:1: extends: /dev/zero: is a character device, not a regular file']);
  });

  it('extends: a folder names the folder as written (an absolute path stays absolute)', () => {
    const dir = tempConfigs({ 'x.yaml': `extends: ${path.join(path.sep, 'tmp')}\n` + DENSE, 'sub/y.yaml': '' });
    expect(errorsOf(dir)).toEqual([`x.yaml:1: extends: ${path.join(path.sep, 'tmp')}: is a folder, not a file`]);
    const rel = tempConfigs({ 'x.yaml': 'extends: sub\n' + DENSE, 'sub/y.yaml': '' });
    expect(errorsOf(rel)).toEqual(['x.yaml:1: extends: sub: is a folder, not a file']);
  });

  it('a file larger than a config could be is refused by its size, before it is read', () => {
    const dir = tempConfigs({ 'x.yaml': 'extends: big.yaml\n' + DENSE });
    fs.writeFileSync(path.join(dir, 'big.yaml'), `name: ${'a'.repeat(MAX_CONFIG_BYTES)}\n`);
    expect(errorsOf(dir)).toEqual([
      `x.yaml:1: extends: big.yaml: is ${MAX_CONFIG_BYTES + 7} bytes; a config file is at most ${MAX_CONFIG_BYTES} bytes (is this a config file?)`,
    ]);
  });
});

describe('contents that are not a config', () => {
  it('a binary file (NUL bytes) is one short line, not its bytes echoed back', () => {
    const dir = tempConfigs({ 'x.yaml': 'extends: bin.yaml\n' });
    const bytes = Buffer.alloc(3000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37) % 256;
    fs.writeFileSync(path.join(dir, 'bin.yaml'), bytes);
    expect(errorsOf(dir)).toEqual(['bin.yaml: not a YAML text file: it holds NUL bytes (a binary file?)']);
  });

  it('text that is not YAML lists at most 10 syntax errors and says how many more', () => {
    const dir = tempConfigs({ 'x.yaml': Array.from({ length: 40 }, (_, i) => `k${i}: [unclosed, "x\n  - y: {`).join('\n') });
    const lines = errorsOf(dir);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.at(-1)).toMatch(/^x\.yaml: … and \d+ more YAML errors \(is this a YAML config file\?\)$/);
  });

  it('a YAML alias bomb is refused as such, at once, instead of expanding to gigabytes', () => {
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const dir = tempConfigs({ 'x.yaml': levels.join('\n') + '\n' });
    expect(errorsOf(dir)).toEqual([
      'x.yaml: invalid YAML: its aliases (*name) expand to more than 100 copies of their anchors (a YAML alias bomb?)',
    ]);
    // A few aliases are fine: a base may reuse a list.
    const fine = tempConfigs({ 'x.yaml': DENSE + '  encoder_units: &units [64, 16]\n  decoder_units: *units\n' });
    expect(loadConfig(path.join(fine, 'x.yaml')).config.model).toMatchObject({ decoder_units: [64, 16] });
  });

  it('a 1 MB value is echoed as its first 80 characters and its length', () => {
    const dir = tempConfigs({ 'x.yaml': `name: ${'a'.repeat(1_000_000)}\n` + DENSE });
    const lines = errorsOf(dir);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`got "${'a'.repeat(77)}…" (1000000 characters)`);
    expect(lines[0]!.length).toBeLessThan(400);
  });

  it('a huge unknown key and a huge --set are clipped the same way', () => {
    // YAML itself caps a plain key at 1024 characters.
    const dir = tempConfigs({ 'x.yaml': DENSE + `${'k'.repeat(1000)}: 1\n` });
    const [line] = errorsOf(dir);
    expect(line).toMatch(/^x\.yaml:5: unknown key k{79}… \(1000 characters\) \(known keys: /);
    const set = errorLines(() => loadConfig(path.join(dir, 'x.yaml'), [`train.lr=${'9'.repeat(100_000)}x`]));
    expect(set.every((l) => l.length < 600)).toBe(true);
  });

  it('a config with thousands of problems lists 50 of them and counts the rest', () => {
    const dir = tempConfigs({ 'x.yaml': DENSE + Array.from({ length: 500 }, (_, i) => `bad${i}: 1`).join('\n') + '\n' });
    const lines = errorsOf(dir);
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe('… and 450 more problems');
  });
});

describe('clipping echoed values', () => {
  it('keeps short values whole and cuts long ones at the limit with their length', () => {
    expect(clip('short')).toBe('short');
    expect(clip('x'.repeat(80))).toBe('x'.repeat(80));
    expect(clip('x'.repeat(81))).toBe(`${'x'.repeat(79)}… (81 characters)`);
    expect(quoteClipped('1')).toBe('"1"');
    expect(quoteClipped('y'.repeat(200))).toBe(`"${'y'.repeat(77)}…" (200 characters)`);
  });

  it('never splits an escape or a surrogate pair, and shows control characters as escapes', () => {
    expect(clip('a\u0000b\nc')).toBe('a\\u0000b\\nc');
    const cut = quoteClipped('\\'.repeat(100));
    expect(cut).toMatch(/^"(\\\\)+…" \(100 characters\)$/);
    const emoji = clip('😀'.repeat(100));
    expect(emoji).toMatch(/^(😀)+… \(200 characters\)$/);
  });
});
