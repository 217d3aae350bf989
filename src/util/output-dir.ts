/**
 * Output folders are checked before anything is created in them, so that a bad one is a clear UserError naming the
 * path and the option or config key that gave it, instead of a failure deep inside a write or a hang:
 * - kernel file systems (/proc, /sys, /dev and the like) hold no user files: `mkdir -p /proc/x` even loops forever
 *   in Node 20 (ENOENT for /proc/x, EEXIST for /proc, retried without end), ignoring SIGTERM;
 * - a file where a folder is needed (`/etc/passwd/x`: ENOTDIR) or a dangling link or link loop on the way;
 * - a folder this process may not write in, or a read-only file system.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../errors';

/** statfs f_type of file systems that are views of the kernel, not storage (linux/magic.h). */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x19800202, 'mqueue'],
  [0xf97cff8c, 'selinuxfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
]);

/**
 * Folders of kernel and device files by path: /dev is a devtmpfs (or devfs on macOS), which statfs cannot tell from
 * an ordinary tmpfs, and a system without statfs still has these. /dev/shm is ordinary shared-memory storage.
 */
const KERNEL_ROOTS = new Map([
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
  ['/dev', 'devtmpfs'],
]);
const STORAGE_UNDER_KERNEL_ROOTS = ['/dev/shm'];

/**
 * Throws a UserError unless `dir` exists as a writable folder or can be created (its nearest existing ancestor is a
 * writable folder on a storage file system). `what` names where the path came from: `output.runs`, `--out`, ….
 * Creates nothing.
 */
export function assertCanCreate(dir: string, what: string): void {
  const abs = path.resolve(dir);
  const refuse = (why: string) => new UserError(`${what} ${dir}: ${why}`);
  const { existing, stat } = nearestExisting(abs, refuse);
  if (!stat.isDirectory()) {
    if (existing === abs) throw refuse('exists and is not a folder');
    throw refuse(`a file is in the way: ${existing} is a file, not a folder`);
  }
  const real = fs.realpathSync(existing);
  const kernel = kernelFileSystem(real);
  if (kernel) throw refuse(`${real} lies on the kernel file system ${kernel} (not storage); choose a folder on a disk`);
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'is on a read-only file system' : 'is not writable by this user (permission denied)';
    throw refuse(existing === abs ? `the folder ${why}` : `cannot create it: ${existing} ${why}`);
  }
}

/** assertCanCreate, then creates the folder (and its parents); returns `dir`. */
export function ensureOutputDir(dir: string, what: string): string {
  assertCanCreate(dir, what);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The deepest existing path on the way to `abs` (abs itself when it exists), with its stat (links followed). */
function nearestExisting(abs: string, refuse: (why: string) => UserError): { existing: string; stat: fs.Stats } {
  for (let p = abs; ; p = path.dirname(p)) {
    try {
      return { existing: p, stat: fs.statSync(p) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw refuse(`${p} is a loop of symbolic links`);
      if (code === 'EACCES') throw refuse(`cannot look into ${path.dirname(p)} (permission denied)`);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      if (code === 'ENOENT' && isLink(p)) throw refuse(`${p} is a symbolic link to ${fs.readlinkSync(p)}, which does not exist`);
    }
    if (p === path.dirname(p)) throw refuse('no part of the path exists');
  }
}

function isLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The name of the kernel file system `real` (a resolved path) lies on, or null for storage. */
export function kernelFileSystem(real: string): string | null {
  const under = (root: string) => real === root || real.startsWith(root + path.sep);
  if (path.sep === '/' && !STORAGE_UNDER_KERNEL_ROOTS.some(under)) {
    for (const [root, name] of KERNEL_ROOTS) if (under(root)) return name;
  }
  try {
    const type = fs.statfsSync(real).type;
    return KERNEL_FILE_SYSTEMS.get(type) ?? null;
  } catch {
    return null; // no statfs here (or it failed): the path check above is all there is
  }
}
