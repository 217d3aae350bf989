import { fourCC, viewOf } from './bytes';
import { detectContainer } from './detect';
import { readExtended80 } from './aiff';
import { MAX_CHUNKS } from './chunks';
import { firstMpegHeader, readInfoFrame } from './mp3-frames';
import { firstPacket, lastGranule } from './ogg';
import { parseOpusHead } from './opus';
import { parseVorbisIdentification } from './vorbis';

/*
 * How much audio a file says it holds, read from its header alone, before anything is decoded.
 *
 * Compression makes the size of a file a poor bound on the size of its audio: FLAC stores a block of silence in a few
 * bytes, so a 1.3 MB file can decode to an hour of 8-channel audio (gigabytes of float32). A server that decodes
 * uploads therefore asks the header first (FLAC STREAMINFO, the WAV 'data' chunk's size over the frame size, AIFF's
 * COMM frame count) and refuses above a limit; the decoders check the same limit against what they actually find,
 * for headers that do not say (FLAC's "total samples: 0", an unset WAV data size) or that understate it.
 */

/** What a header declares. `frames` are samples per channel; frames × channels is what decoding allocates. */
export interface DeclaredSize {
  frames: number;
  channels: number;
  sampleRate: number;
}

/** Declared frames × channels: the count of float32 values a full decode produces. */
export function declaredSamples(size: DeclaredSize): number {
  return size.frames * size.channels;
}

/**
 * The size a WAV/RF64, AIFF/AIFC or FLAC header declares, or null when the header does not say (FLAC total samples 0,
 * a WAV data size left unset at 0xFFFFFFFF) or cannot be read (not a supported file, a header cut short, a sample
 * rate of 0: the decoder then says what is wrong). Reads header bytes only; never decodes, never allocates per sample.
 * Ogg Vorbis/Opus: the last page's granule position (read from the end of the file) with the identification
 * header's channels; MP3: the frame count of its Xing/Info/VBRI frame, less LAME's delay and padding.
 */
export function declaredSize(bytes: Uint8Array): DeclaredSize | null {
  let container;
  try {
    container = detectContainer(bytes);
  } catch {
    return null;
  }
  switch (container.kind) {
    case 'wav':
      return wavDeclared(bytes);
    case 'aiff':
      return aiffDeclared(bytes);
    case 'flac':
      return flacDeclared(bytes, container.offset);
    case 'vorbis':
    case 'opus':
      return oggDeclared(bytes, container.kind);
    case 'mp3':
      return mp3Declared(bytes, container.offset);
  }
}

/**
 * The chunks of a RIFF/IFF file up to the first `wanted` ones found, without the records walkChunks keeps: ids and
 * offsets only, at most `limit` chunks looked at (a file of millions of empty chunks costs nothing here).
 */
function findChunks(bytes: Uint8Array, littleEndian: boolean, wanted: readonly string[], limit = MAX_CHUNKS): Map<string, { body: number; size: number }> {
  const view = viewOf(bytes);
  const found = new Map<string, { body: number; size: number }>();
  let pos = 12;
  for (let seen = 0; seen < limit && pos + 8 <= bytes.length && found.size < wanted.length; seen++) {
    const id = fourCC(bytes, pos);
    const size = view.getUint32(pos + 4, littleEndian);
    if (wanted.includes(id) && !found.has(id)) found.set(id, { body: pos + 8, size });
    pos += 8 + size + (size % 2); // the exact pad-byte rules of walkChunks do not matter for finding the header chunks
  }
  return found;
}

const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function wavDeclared(bytes: Uint8Array): DeclaredSize | null {
  const view = viewOf(bytes);
  const rf64 = fourCC(bytes, 0) !== 'RIFF';
  const chunks = findChunks(bytes, true, rf64 ? ['ds64', 'fmt ', 'data'] : ['fmt ', 'data']);
  const fmt = chunks.get('fmt ');
  const data = chunks.get('data');
  if (!fmt || !data || fmt.size < 16 || fmt.body + 16 > bytes.length) return null;
  const tag = view.getUint16(fmt.body, true);
  const channels = view.getUint16(fmt.body + 2, true);
  const sampleRate = view.getUint32(fmt.body + 4, true);
  const bits = view.getUint16(fmt.body + 14, true);
  // Integer samples narrower than a byte multiple sit in ceil(bits/8) bytes, as the decoder reads them; for an
  // EXTENSIBLE header this is the container width too.
  const bytesPerSample = Math.ceil(bits / 8);
  if (channels === 0 || sampleRate === 0 || bytesPerSample === 0 || (tag !== WAVE_FORMAT_EXTENSIBLE && tag !== 1 && tag !== 3)) return null;
  let dataSize = data.size;
  if (dataSize === 0xffffffff) {
    if (!rf64) return null; // a streaming writer that never came back to fill it in: unknown
    const ds64 = chunks.get('ds64');
    if (!ds64 || ds64.size < 16 || ds64.body + 16 > bytes.length) return null;
    dataSize = view.getUint32(ds64.body + 12, true) * 2 ** 32 + view.getUint32(ds64.body + 8, true);
  }
  return { frames: Math.floor(dataSize / (bytesPerSample * channels)), channels, sampleRate };
}

function aiffDeclared(bytes: Uint8Array): DeclaredSize | null {
  const comm = findChunks(bytes, false, ['COMM']).get('COMM');
  if (!comm || comm.size < 18 || comm.body + 18 > bytes.length) return null;
  const view = viewOf(bytes);
  const channels = view.getUint16(comm.body);
  const rate = readExtended80(view, comm.body + 8);
  const sampleRate = Number.isFinite(rate) ? Math.round(rate) : 0;
  if (channels === 0 || !(sampleRate > 0)) return null;
  return { frames: view.getUint32(comm.body + 2), channels, sampleRate };
}

function flacDeclared(bytes: Uint8Array, start: number): DeclaredSize | null {
  // 'fLaC', then the first metadata block's 4-byte header, then STREAMINFO; bytes 10..17 of its body hold the
  // sample rate (20 bits), channels - 1 (3), bits - 1 (5) and total samples per channel (36; 0 = unknown).
  const b = start + 8 + 10;
  if (b + 8 > bytes.length || (bytes[start + 4]! & 0x7f) !== 0) return null;
  const sampleRate = (bytes[b]! << 12) | (bytes[b + 1]! << 4) | (bytes[b + 2]! >> 4);
  const channels = ((bytes[b + 2]! >> 1) & 0x07) + 1;
  const frames = (bytes[b + 3]! & 0x0f) * 2 ** 32 + viewOf(bytes).getUint32(b + 4);
  if (frames === 0 || sampleRate === 0) return null;
  return { frames, channels, sampleRate };
}

function oggDeclared(bytes: Uint8Array, codec: 'vorbis' | 'opus'): DeclaredSize | null {
  const head = firstPacket(bytes);
  const granule = lastGranule(bytes);
  if (!head || granule === null) return null;
  try {
    if (codec === 'vorbis') {
      const info = parseVorbisIdentification(head);
      return { frames: granule, channels: info.channels, sampleRate: info.sampleRate };
    }
    const info = parseOpusHead(head);
    return { frames: Math.max(0, granule - info.preSkip), channels: info.channels, sampleRate: 48000 };
  } catch {
    return null;
  }
}

function mp3Declared(bytes: Uint8Array, start: number): DeclaredSize | null {
  try {
    const first = firstMpegHeader(bytes, start);
    // The first frame only: its Xing/Info/VBRI header, if any, declares the count.
    const info = start + first.length <= bytes.length ? readInfoFrame(bytes, start, first) : null;
    if (info?.declaredFrames === undefined) return null;
    const trimmed = info.gapless ? info.gapless.delay + info.gapless.padding : 0;
    return { frames: Math.max(0, info.declaredFrames * first.samples - trimmed), channels: first.channels, sampleRate: first.sampleRate };
  } catch {
    return null;
  }
}
