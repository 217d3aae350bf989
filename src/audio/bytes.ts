/** Small byte-level helpers shared by the container parsers. */

/** Four bytes at `offset` as a latin1 string (chunk ids, magic numbers); shorter if the buffer ends first. */
export function fourCC(bytes: Uint8Array, offset: number): string {
  let s = '';
  for (let i = offset; i < offset + 4 && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** True when all four bytes are printable ASCII: what every real RIFF/IFF chunk id looks like. */
export function isPlausibleChunkId(bytes: Uint8Array, offset: number): boolean {
  if (offset + 4 > bytes.length) return false;
  for (let i = offset; i < offset + 4; i++) {
    if (bytes[i] < 0x20 || bytes[i] > 0x7e) return false;
  }
  return true;
}

/** A four-character code for a message: quoted text when printable, hex bytes otherwise. */
export function describeFourCC(bytes: Uint8Array, offset: number): string {
  const n = Math.min(4, Math.max(0, bytes.length - offset));
  const hex = Array.from(bytes.subarray(offset, offset + n), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return isPlausibleChunkId(bytes, offset) ? `'${fourCC(bytes, offset)}'` : `bytes ${hex}`;
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
