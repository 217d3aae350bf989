import { createHash } from 'crypto';

/** sha256 of bytes as 64 hex digits: the checksum recorded for every file a later step trusts. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
