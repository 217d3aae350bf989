import type * as fs from 'fs';

/**
 * "a FIFO (named pipe)", "a character device", … for what is neither a regular file nor a folder: sampgen refuses to
 * read those (a FIFO blocks until something writes to it, /dev/zero never ends) and says what it found.
 */
export function specialFileKind(kind: fs.Stats | fs.Dirent): string {
  if (kind.isFIFO()) return 'a FIFO (named pipe)';
  if (kind.isCharacterDevice()) return 'a character device';
  if (kind.isBlockDevice()) return 'a block device';
  if (kind.isSocket()) return 'a socket';
  if (kind.isSymbolicLink()) return 'a symbolic link';
  return 'neither a file nor a folder';
}
