/**
 * Turning interleaved sample bytes into one Float32Array per channel.
 *
 * Integer samples are scaled by an exact power of two so that full scale negative maps to exactly -1:
 * 8-bit by 1/128, 16-bit by 1/32768, 24-bit by 1/8388608, 32-bit by 1/2147483648. Multiplying by a power of two
 * is exact in floating point, so 8/16/24-bit values land on float32 exactly; 32-bit values are rounded to the
 * nearest float32 (24 bits of mantissa is all float32 has). Samples narrower than their container (e.g. 20-bit in
 * 3 bytes) are stored left-justified by both WAV and AIFF, so scaling by the container width is correct for them.
 *
 * Float samples are copied as they are: NaN, Inf and values beyond ±1 are kept, because deciding what to do about
 * them is preprocessing's job, not the decoder's.
 */
export type SampleKind =
  /** Two's-complement integers (WAV 16/24/32-bit, every AIFF width). */
  | 'int'
  /** Offset-binary 8-bit: 128 is zero (WAV 8-bit only). */
  | 'uint8'
  /** IEEE float, 4 or 8 bytes. */
  | 'float';

export interface SampleLayout {
  kind: SampleKind;
  /** Bytes per sample in the container: 1-4 for integers, 4 or 8 for floats. */
  bytesPerSample: number;
  littleEndian: boolean;
}

const INT_SCALE = [0, 1 / 128, 1 / 32768, 1 / 8388608, 1 / 2147483648];

/** Bytes in one frame (one sample for every channel). */
export function frameBytes(layout: SampleLayout, channels: number): number {
  return layout.bytesPerSample * channels;
}

/**
 * De-interleave `frames` frames starting at `offset`. The caller has checked that the bytes are there. Only the first
 * `keep` channels are read and returned (all of them by default).
 */
export function deinterleave(
  bytes: Uint8Array,
  offset: number,
  frames: number,
  channels: number,
  layout: SampleLayout,
  keep = channels,
): Float32Array[] {
  const out = Array.from({ length: Math.min(keep, channels) }, () => new Float32Array(frames));
  if (deinterleaveTyped(bytes, offset, frames, channels, layout, out)) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { kind, bytesPerSample: width, littleEndian: le } = layout;
  const stride = width * channels;
  for (let c = 0; c < out.length; c++) {
    const dst = out[c];
    let p = offset + c * width;
    if (kind === 'float') {
      if (width === 4) for (let i = 0; i < frames; i++, p += stride) dst[i] = view.getFloat32(p, le);
      else for (let i = 0; i < frames; i++, p += stride) dst[i] = view.getFloat64(p, le);
    } else if (kind === 'uint8') {
      for (let i = 0; i < frames; i++, p += stride) dst[i] = (bytes[p] - 128) / 128;
    } else {
      const scale = INT_SCALE[width];
      switch (width) {
        case 1:
          for (let i = 0; i < frames; i++, p += stride) dst[i] = view.getInt8(p) * scale;
          break;
        case 2:
          for (let i = 0; i < frames; i++, p += stride) dst[i] = view.getInt16(p, le) * scale;
          break;
        case 3:
          // No 24-bit DataView getter: the top byte carries the sign (read as Int8), the lower two are unsigned.
          if (le) {
            for (let i = 0; i < frames; i++, p += stride) {
              dst[i] = (view.getInt8(p + 2) * 65536 + bytes[p + 1] * 256 + bytes[p]) * scale;
            }
          } else {
            for (let i = 0; i < frames; i++, p += stride) {
              dst[i] = (view.getInt8(p) * 65536 + bytes[p + 1] * 256 + bytes[p + 2]) * scale;
            }
          }
          break;
        case 4:
          for (let i = 0; i < frames; i++, p += stride) dst[i] = view.getInt32(p, le) * scale;
          break;
        default:
          throw new RangeError(`integer samples must be 1-4 bytes, got ${width}`);
      }
    }
  }
  return out;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The common layouts (16-bit integers and 32-bit floats in the host's byte order, at an offset their size divides)
 * read through a typed-array view of the bytes: several times faster than a DataView call per sample, and the same
 * values. Returns false, leaving `out` untouched, for every other layout.
 */
function deinterleaveTyped(bytes: Uint8Array, offset: number, frames: number, channels: number, layout: SampleLayout, out: Float32Array[]): boolean {
  const { kind, bytesPerSample: width } = layout;
  if (layout.littleEndian !== HOST_LITTLE_ENDIAN || (bytes.byteOffset + offset) % width !== 0) return false;
  const start = bytes.byteOffset + offset;
  const n = frames * channels;
  if (kind === 'int' && width === 2) {
    const src = new Int16Array(bytes.buffer, start, n);
    const scale = INT_SCALE[2]!;
    for (let c = 0; c < out.length; c++) {
      const dst = out[c]!;
      for (let i = 0, p = c; i < frames; i++, p += channels) dst[i] = src[p]! * scale;
    }
    return true;
  }
  if (kind === 'float' && width === 4) {
    const src = new Float32Array(bytes.buffer, start, n);
    if (channels === 1) {
      out[0]!.set(src);
      return true;
    }
    for (let c = 0; c < out.length; c++) {
      const dst = out[c]!;
      for (let i = 0, p = c; i < frames; i++, p += channels) dst[i] = src[p]!;
    }
    return true;
  }
  return false;
}
