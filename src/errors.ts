/**
 * One error type for user mistakes: a bad file, a bad config, a bad argument. The CLI maps it to exit 2 and
 * prints only its message; any other error is a bug (exit 1, with a hint to rerun with --verbose).
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A failure that is nobody's bug but stops the work, such as a diverging training run: exit 1 with its message,
 * without the "rerun with --verbose" hint that unexpected errors get.
 */
export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isRuntimeFailure(err: unknown): err is RuntimeFailure {
  return err instanceof RuntimeFailure || (err instanceof Error && err.name === 'RuntimeFailure');
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError || (err instanceof Error && err.name === 'UserError');
}

/** The message of anything thrown, for reasons and logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Failures of the file system that are nobody's bug (a full disk, a read-only mount, a permission): the CLI reports
 * them naming the path, without the "this is a bug" hint, exit 1. ENOENT is not among them: a file that vanishes
 * from under sampgen is more often a bug than not.
 */
const FILE_SYSTEM_FAILURES: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for this file system',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a file is in the way where a folder should be',
  ELOOP: 'a loop of symbolic links',
  ENAMETOOLONG: 'name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'input/output error (a failing disk or a lost network mount)',
};

const SYSCALL_ACTIONS: Record<string, string> = {
  write: 'writing',
  writev: 'writing',
  fsync: 'writing',
  fdatasync: 'writing',
  close: 'writing',
  copyfile: 'writing',
  ftruncate: 'writing',
  open: 'opening',
  mkdir: 'creating the folder',
  mkdtemp: 'creating a folder in',
  rename: 'renaming',
  link: 'linking',
  symlink: 'linking',
  unlink: 'removing',
  rmdir: 'removing',
  rm: 'removing',
  read: 'reading',
  scandir: 'listing',
  stat: 'looking at',
  lstat: 'looking at',
  access: 'looking at',
};

/**
 * The fields of a Node system error these helpers read. Spelled out rather than NodeJS.ErrnoException because the
 * audition page bundles this module (through src/models/condition.ts) and is type-checked without Node's types.
 */
type ErrnoError = Error & { code?: string; path?: string; syscall?: string };

/**
 * "disk full while writing /runs/x/samples.f32: free some space …" for a Node file-system error of the kinds above,
 * or null for anything else (which stays an unexpected error).
 */
export function describeFileSystemError(err: unknown): string | null {
  const e = err as ErrnoError | null;
  if (!(e instanceof Error) || typeof e.code !== 'string' || !(e.code in FILE_SYSTEM_FAILURES)) return null;
  const what = FILE_SYSTEM_FAILURES[e.code]!;
  const dest = (e as { dest?: unknown }).dest;
  const target = typeof e.path === 'string' ? (typeof dest === 'string' ? `${e.path} -> ${dest}` : e.path) : null;
  const action = (e.syscall && SYSCALL_ACTIONS[e.syscall]) ?? 'accessing';
  const where = target ? ` while ${action} ${target}` : e.syscall ? ` (${e.syscall})` : '';
  const hint =
    e.code === 'ENOSPC' || e.code === 'EDQUOT' ? ': free some space (or choose an output folder on another disk) and run again' : '';
  return `${what}${where}${hint}`;
}

/**
 * Adds the file's path to a Node error that lacks one (writes through a file descriptor report none), so that
 * describeFileSystemError can name it. Returns `err` for `throw withPath(err, file)`.
 */
export function withPath(err: unknown, file: string): unknown {
  const e = err as ErrnoError | null;
  if (e instanceof Error && typeof e.code === 'string' && e.path === undefined) e.path = file;
  return err;
}
