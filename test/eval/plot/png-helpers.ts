/** Test helpers: read a PNG's header by hand and decode its pixels back with @napi-rs/canvas. */
import { createCanvas, Image } from '@napi-rs/canvas';
import { crc32 } from 'zlib';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks the 8-byte signature and that the first chunk is a 13-byte IHDR with a correct CRC, and returns its fields. */
export function parsePngHeader(bytes: Uint8Array): PngHeader {
  expect(bytes).toBeInstanceOf(Uint8Array);
  expect(Array.from(bytes.subarray(0, 8))).toEqual(SIGNATURE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(view.getUint32(8)).toBe(13);
  expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe('IHDR');
  expect(crc32(bytes.subarray(12, 12 + 4 + 13)) >>> 0).toBe(view.getUint32(12 + 4 + 13) >>> 0);
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24] as number, colorType: bytes[25] as number };
}

export type Pixel = [number, number, number, number];

export interface Decoded {
  width: number;
  height: number;
  at(x: number, y: number): Pixel;
}

export function decodePng(bytes: Uint8Array): Decoded {
  const img = new Image();
  img.src = Buffer.from(bytes);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  return {
    width: img.width,
    height: img.height,
    at(x: number, y: number): Pixel {
      const o = (Math.round(y) * img.width + Math.round(x)) * 4;
      return [data[o] as number, data[o + 1] as number, data[o + 2] as number, data[o + 3] as number];
    },
  };
}

/** Largest per-channel difference between a pixel and an RGB colour. */
export function colorDistance(p: Pixel, rgb: readonly [number, number, number]): number {
  return Math.max(Math.abs(p[0] - rgb[0]), Math.abs(p[1] - rgb[1]), Math.abs(p[2] - rgb[2]));
}

/** A pixel of white background or a light grid line: nothing drawn there. */
export function isBackground(p: Pixel): boolean {
  return p[0] >= 225 && p[1] >= 225 && p[2] >= 225;
}

/** rgb blended over white at `alpha`, as a translucent dot on the background looks. */
export function overWhite(rgb: readonly [number, number, number], alpha: number): [number, number, number] {
  return [0, 1, 2].map((i) => Math.round(255 + alpha * ((rgb[i] as number) - 255))) as [number, number, number];
}
