/**
 * Inputs and outputs that are not what preprocess expects: an earlier dataset inside the input folder, links that
 * lead nowhere or in a loop, a FIFO, an output under /proc or behind a file, a full disk, an absurd --length. Each is
 * a skipped-list entry, or an exit with a message naming the path, never a hang or a stack trace.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { encodeWav } from '../../src/audio';
import { discoverInputs } from '../../src/preprocess/files';
import { MAX_DURATION_SAMPLES } from '../../src/preprocess/duration';

// Spawns the built CLI (`npm test` builds dist/ first).
const BIN = path.join(__dirname, '..', '..', 'bin', 'sampgen');
const sampgen = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
};

const SHORT = ['--length', '256s', '--attack', '10s', '--sample-rate', '8000'];

function hit(): Uint8Array {
  const x = new Float32Array(2000);
  for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin(i / 5) * Math.exp(-i / 300);
  return encodeWav(x, 8000, 'pcm16');
}

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sampgen-hostile-'));
  fs.mkdirSync(path.join(tmp, 'in'));
  for (const name of ['a.wav', 'b.wav']) fs.writeFileSync(path.join(tmp, 'in', name), hit());
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const canMakeFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--help']).status === 0;

describe('what the input folders hold', () => {
  test('an earlier dataset inside the input folder is passed over, and the summary says so', () => {
    const first = sampgen(['preprocess', path.join(tmp, 'in'), path.join(tmp, 'in', 'ds'), ...SHORT, '--jobs', '1']);
    expect(first.code).toBe(0);
    const second = sampgen(['preprocess', path.join(tmp, 'in'), path.join(tmp, 'in', 'ds2'), ...SHORT, '--jobs', '1']);
    expect(second.code).toBe(0);
    // in/ds holds a.wav and b.wav too; read as input they would have made 4 rows.
    expect(second.stdout).toMatch(/^processed 2 of 2 audio files/m);
    expect(second.stdout).toMatch(/^passed over the sampgen dataset folder ds inside the inputs \(earlier output; name a dataset folder as an input to read its WAVs\)$/m);
    // Named as an input, a dataset folder is read.
    const named = discoverInputs({ inputs: [path.join(tmp, 'in', 'ds')], recursive: true });
    expect(named.files.map((f) => f.relPath)).toEqual(['a.wav', 'b.wav']);
    expect(discoverInputs({ inputs: [path.join(tmp, 'in')], recursive: true }).datasets).toEqual(['ds', 'ds2']);
  });

  (canMakeFifo ? test : test.skip)('dangling links, link loops and FIFOs are on the skipped list, with their reason', () => {
    const dir = path.join(tmp, 'in');
    fs.symlinkSync('nowhere.wav', path.join(dir, 'dangling.wav'));
    fs.symlinkSync('loop-b.wav', path.join(dir, 'loop-a.wav'));
    fs.symlinkSync('loop-a.wav', path.join(dir, 'loop-b.wav'));
    expect(spawnSync('mkfifo', [path.join(dir, 'pipe.wav')]).status).toBe(0);
    const d = discoverInputs({ inputs: [dir], recursive: true });
    expect(d.files.map((f) => f.relPath)).toEqual(['a.wav', 'b.wav']);
    expect(d.unreadable).toEqual([
      { relPath: 'dangling.wav', reason: 'a symbolic link to nowhere.wav, which does not exist' },
      { relPath: 'loop-a.wav', reason: 'a loop of symbolic links' },
      { relPath: 'loop-b.wav', reason: 'a loop of symbolic links' },
      { relPath: 'pipe.wav', reason: 'a FIFO (named pipe), not a regular file' },
    ]);
    // Through the CLI (which used to block forever on the FIFO): listed as skipped, the rest processed.
    const r = sampgen(['--json', 'preprocess', dir, path.join(tmp, 'out'), ...SHORT, '--jobs', '2']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.count).toBe(2);
    expect(summary.skipped.map((s: { path: string }) => s.path)).toEqual(['dangling.wav', 'loop-a.wav', 'loop-b.wav', 'pipe.wav']);
  });
});

describe('one file reached twice', () => {
  test('a folder link to a sibling (or a link to a file) gives one row, and the second path is on the skipped list', () => {
    const dir = path.join(tmp, 'in');
    fs.mkdirSync(path.join(dir, 'kit'));
    fs.renameSync(path.join(dir, 'a.wav'), path.join(dir, 'kit', 'a.wav'));
    fs.symlinkSync('kit', path.join(dir, 'same-kit'), 'dir');
    fs.symlinkSync('b.wav', path.join(dir, 'b-again.wav'));
    const d = discoverInputs({ inputs: [dir], recursive: true });
    // Without the check: 4 rows of 2 sounds, which could sit in the training and the validation split at once.
    expect(d.files.map((f) => f.relPath)).toEqual(['b.wav', 'kit/a.wav']);
    expect(d.unreadable).toEqual([
      { relPath: 'b-again.wav', reason: 'the same file as b.wav (reached again through a symbolic link)' },
      { relPath: 'same-kit/a.wav', reason: 'the same file as kit/a.wav (reached again through a symbolic link)' },
    ]);
  });
});

describe('output folders that cannot be', () => {
  (process.platform === 'linux' ? test : test.skip)('an output under /proc exits 2 naming it (mkdir -p /proc/x never returns)', () => {
    const r = sampgen(['preprocess', path.join(tmp, 'in'), '/proc/sampgen-test/x', ...SHORT]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'sampgen: output folder /proc/sampgen-test/x: /proc lies on the kernel file system proc (not storage); choose a folder on a disk\n',
    );
  });

  test('a file in the way exits 2 naming the file', () => {
    fs.writeFileSync(path.join(tmp, 'plain'), 'x');
    const r = sampgen(['resample', path.join(tmp, 'in'), '--out', path.join(tmp, 'plain', 'x'), '--sample-rate', '8000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`sampgen: --out ${path.join(tmp, 'plain', 'x')}: a file is in the way: ${path.join(tmp, 'plain')} is a file, not a folder\n`);
  });
});

describe('lengths', () => {
  test('--length 1e9 (seconds) exits 2 naming the option and the limit, instead of a RangeError', () => {
    const r = sampgen(['preprocess', path.join(tmp, 'in'), path.join(tmp, 'out'), '--length', '1e9', '--jobs', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `sampgen: --length 1000000000 sec is 44100000000000 samples at 44100 Hz, more than the limit of ${MAX_DURATION_SAMPLES} samples (190.2 s at 44100 Hz); one-shots last seconds\n`,
    );
    expect(fs.existsSync(path.join(tmp, 'out'))).toBe(false);
  });
});

/**
 * A real full disk: a 64 KiB tmpfs, mounted in a private mount namespace (`unshare -rm` works unprivileged where user
 * namespaces are enabled, and as root). Where that is not possible, the test says so and is skipped.
 */
function fullDiskCheck(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  const probe = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt && echo ok'], { encoding: 'utf8' });
  return probe.stdout?.trim() === 'ok' ? null : `cannot mount a small tmpfs here (unshare -rm: ${(probe.stderr || probe.error?.message || '').trim()})`;
}
const noFullDisk = fullDiskCheck();
if (noFullDisk) console.log(`full-disk tests skipped: ${noFullDisk}`);

describe('a full disk', () => {
  test.each([['in this thread', '1'], ['in worker threads', '2']])(
    '%s: exit 1, "disk full while writing <path>", no stack and no "this is a bug"',
    (_how, jobs) => {
      if (noFullDisk) return;
      // Rows of 100000 float32 samples: the two WAVs and samples.f32 need about 1.2 MB, the disk holds 64 KiB.
      const mountpoint = path.join(tmp, 'small');
      fs.mkdirSync(mountpoint);
      const cmd =
        `mount -t tmpfs -o size=64k tmpfs "${mountpoint}" && ` +
        `exec "${process.execPath}" "${BIN}" preprocess "${path.join(tmp, 'in')}" "${path.join(mountpoint, 'ds')}" ` +
        `--length 100000s --attack 10s --sample-rate 8000 --jobs ${jobs}`;
      const r = spawnSync('unshare', ['-rm', 'sh', '-c', cmd], { encoding: 'utf8', timeout: 60000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`^sampgen: disk full while writing ${escape(mountpoint)}/\\S+: free some space \\(or choose an output folder on another disk\\) and run again\\n$`),
      );
    },
  );
});

describe('a read-only file system', () => {
  test('exit 2 before any work, naming the folder', () => {
    if (noFullDisk) return;
    const mountpoint = path.join(tmp, 'ro');
    fs.mkdirSync(mountpoint);
    const cmd =
      `mount -t tmpfs -o size=64k,ro tmpfs "${mountpoint}" && ` +
      `exec "${process.execPath}" "${BIN}" preprocess "${path.join(tmp, 'in')}" "${path.join(mountpoint, 'ds')}" ${SHORT.join(' ')}`;
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', cmd], { encoding: 'utf8', timeout: 60000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`sampgen: output folder ${path.join(mountpoint, 'ds')}: cannot create it: ${mountpoint} is on a read-only file system\n`);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
