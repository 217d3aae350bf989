import { promises as fsp } from 'fs';
import { decodeAudio } from './decode';
import { AudioDecodeError } from './errors';
import { DecodedAudio } from './types';

/** Human text for the fs errors a user can cause, without the path (the caller names the file). */
const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent path is not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

export async function readAudioFile(path: string): Promise<DecodedAudio> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code ? `${FS_REASONS[code] ?? 'error'} (${code})` : err instanceof Error ? err.message : String(err);
    throw new AudioDecodeError(`cannot read file: ${reason}`, { cause: err });
  }
  return decodeAudio(bytes);
}
