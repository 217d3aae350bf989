/**
 * A minimal Ogg reader and writer for the damage tests: packets out of an encoded fixture, and pages (with real
 * CRCs) built from packets again, so that a test can re-page a stream, drop or reorder pages, or edit a packet and
 * still have valid checksums. Written independently of src/audio/ogg.ts: the CRC here is computed bit by bit, not
 * from a table.
 */

/** Ogg's CRC-32 (polynomial 0x04C11DB7, MSB first, initial 0, no final XOR), bit by bit. */
export function crcBitwise(bytes: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes[i]! << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    crc >>>= 0;
  }
  return crc >>> 0;
}

export interface ReadPage {
  offset: number;
  length: number;
  flags: number;
  granule: bigint;
  serial: number;
  sequence: number;
}

/** Pages and packets of a well-formed single-stream Ogg file (the fixtures). */
export function readOgg(bytes: Uint8Array): { pages: ReadPage[]; packets: Uint8Array[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pages: ReadPage[] = [];
  const packets: Uint8Array[] = [];
  let pending: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const segments = bytes[pos + 26]!;
    let body = pos + 27 + segments;
    const start = pos;
    for (let s = 0; s < segments; s++) {
      const lacing = bytes[pos + 27 + s]!;
      pending.push(...bytes.subarray(body, body + lacing));
      body += lacing;
      if (lacing < 255) {
        packets.push(Uint8Array.from(pending));
        pending = [];
      }
    }
    pages.push({ offset: start, length: body - start, flags: bytes[pos + 5]!, granule: view.getBigInt64(pos + 6, true), serial: view.getUint32(pos + 14, true), sequence: view.getUint32(pos + 18, true) });
    pos = body;
  }
  return { pages, packets };
}

export interface PageSpec {
  packets: Uint8Array[];
  granule: bigint;
  /** 0x02 begins the stream, 0x04 ends it (0x01, continued, is never needed: packets here fit on one page). */
  flags?: number;
  serial?: number;
  sequence: number;
}

/** One Ogg page holding whole packets, with its CRC. */
export function oggPage(spec: PageSpec): Uint8Array {
  const lacing: number[] = [];
  for (const p of spec.packets) {
    let n = p.length;
    while (n >= 255) {
      lacing.push(255);
      n -= 255;
    }
    lacing.push(n);
  }
  if (lacing.length > 255) throw new Error('too many packets for one page');
  const bodyLength = spec.packets.reduce((n, p) => n + p.length, 0);
  const page = new Uint8Array(27 + lacing.length + bodyLength);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53], 0);
  page[5] = spec.flags ?? 0;
  view.setBigInt64(6, spec.granule, true);
  view.setUint32(14, spec.serial ?? 1, true);
  view.setUint32(18, spec.sequence, true);
  page[26] = lacing.length;
  page.set(lacing, 27);
  let o = 27 + lacing.length;
  for (const p of spec.packets) {
    page.set(p, o);
    o += p.length;
  }
  view.setUint32(22, crcBitwise(page), true);
  return page;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * An Ogg Opus file from its packets: the two headers on their own pages, then `perPage` audio packets a page, each
 * page's granule position the running sample count (pre-skip included, as RFC 7845 defines it), the last page's
 * `lastGranule`. `durations` are the audio packets' sample counts.
 */
export function opusPages(headers: Uint8Array[], audio: Uint8Array[], durations: number[], perPage: number, lastGranule: bigint): Uint8Array[] {
  const pages = [oggPage({ packets: [headers[0]!], granule: 0n, flags: 0x02, sequence: 0 }), oggPage({ packets: [headers[1]!], granule: 0n, sequence: 1 })];
  let total = 0;
  for (let i = 0; i < audio.length; i += perPage) {
    const last = i + perPage >= audio.length;
    total += durations.slice(i, i + perPage).reduce((n, d) => n + d, 0);
    pages.push(oggPage({ packets: audio.slice(i, i + perPage), granule: last ? lastGranule : BigInt(total), flags: last ? 0x04 : 0, sequence: pages.length }));
  }
  return pages;
}
