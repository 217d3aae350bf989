import { AudioDecodeError } from './errors';
import { fourCC, isPlausibleChunkId, viewOf } from './bytes';

/**
 * Walking the chunks of a RIFF (WAV, little-endian sizes) or IFF (AIFF, big-endian sizes) file.
 *
 * Written by hand because real sample libraries are full of files that strict readers reject or misread, and the
 * decisions below are the ones that matter for them:
 * - Chunks with an odd size are followed by a pad byte (both specs). Some writers omit it; when the byte after the
 *   pad does not start a plausible chunk id but the byte before it does, we follow the unpadded layout instead
 *   (libsndfile does the same).
 * - A chunk that claims more bytes than the file holds is cut to what is there and marked `truncated`; nothing
 *   after it can be found, so the walk ends.
 * - Bytes after the last chunk that do not look like a chunk id (appended tags, zero padding from copy tools) end
 *   the walk quietly instead of failing the file.
 * - More than MAX_CHUNKS chunks is refused: real files have a few dozen at most, while 20 MiB of empty 8-byte chunks
 *   would otherwise cost half a gigabyte of chunk records and seconds of walking.
 */

/** Most chunks a file may have; far above any real WAV/AIFF, low enough that a walk costs little memory. */
export const MAX_CHUNKS = 4096;
export interface Chunk {
  /** Four-character id, e.g. 'fmt ', 'data', 'COMM'. */
  id: string;
  /** Offset of the chunk body (after the 8-byte header) in the file. */
  bodyOffset: number;
  /** Size the header declares (possibly replaced through `sizeOf`, see RF64). */
  declaredSize: number;
  /** Bytes of the body actually present: declaredSize, or less when the file ends early. */
  size: number;
  truncated: boolean;
}

export interface WalkOptions {
  littleEndian: boolean;
  /** Replace a declared size, e.g. RF64's 0xFFFFFFFF placeholders with the 64-bit sizes from 'ds64'. */
  sizeOf?: (id: string, declared: number) => number;
}

export function walkChunks(bytes: Uint8Array, start: number, options: WalkOptions): Chunk[] {
  const view = viewOf(bytes);
  const chunks: Chunk[] = [];
  let pos = start;
  while (pos + 8 <= bytes.length && isPlausibleChunkId(bytes, pos)) {
    if (chunks.length === MAX_CHUNKS) {
      throw new AudioDecodeError(`corrupt file: more than ${MAX_CHUNKS} chunks (real audio files have a few dozen at most)`);
    }
    const id = fourCC(bytes, pos);
    const raw = view.getUint32(pos + 4, options.littleEndian);
    const declaredSize = options.sizeOf ? options.sizeOf(id, raw) : raw;
    const bodyOffset = pos + 8;
    const present = bytes.length - bodyOffset;
    const truncated = declaredSize > present;
    chunks.push({ id, bodyOffset, declaredSize, size: truncated ? present : declaredSize, truncated });
    if (truncated) break;
    let next = bodyOffset + declaredSize;
    if (declaredSize % 2 === 1) {
      const padded = next + 1;
      // Prefer the spec's padded layout; fall back to the unpadded one only when it alone looks like a chunk.
      const paddedOk = padded + 8 <= bytes.length && isPlausibleChunkId(bytes, padded);
      const unpaddedOk = next + 8 <= bytes.length && isPlausibleChunkId(bytes, next);
      if (paddedOk || !unpaddedOk) next = padded;
    }
    pos = next;
  }
  return chunks;
}

/** The ids of some chunks for a message ("'JUNK', 'LIST'"), the first few only: a message stays a line long. */
export function listChunkIds(chunks: readonly Chunk[], shown = 8): string {
  const ids = chunks.slice(0, shown).map((c) => `'${c.id}'`);
  if (chunks.length > shown) ids.push(`and ${chunks.length - shown} more`);
  return ids.join(', ');
}
