import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';

/*
 * An independent reader of TensorBoard event files for tests: its own TFRecord framing parser and bitwise CRC32C,
 * and a schema loaded from a .proto file with protobufjs's .proto parser (test/fixtures/tensorboard/, written from
 * TensorBoard's published definitions; the writer uses its own JSON descriptor).
 */

/** Bitwise CRC32C (Castagnoli, reflected polynomial 0x82F63B78): slow and obviously right, unlike a table. */
export function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function masked(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Splits a TFRecord file into its records' data, checking both CRCs of every record and that nothing trails. */
export function readRecords(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let p = 0;
  while (p < bytes.length) {
    if (bytes.length - p < 12) throw new Error(`record at ${p}: truncated header`);
    const header = bytes.subarray(p, p + 8);
    const length = Number(bytes.readBigUInt64LE(p));
    if (bytes.readUInt32LE(p + 8) !== masked(referenceCrc32c(header))) throw new Error(`record at ${p}: bad length CRC`);
    if (bytes.length - p < 12 + length + 4) throw new Error(`record at ${p}: truncated data`);
    const data = bytes.subarray(p + 12, p + 12 + length);
    if (bytes.readUInt32LE(p + 12 + length) !== masked(referenceCrc32c(data))) throw new Error(`record at ${p}: bad data CRC`);
    out.push(data);
    p += 12 + length + 4;
  }
  return out;
}

// keepCase: field names as the .proto spells them (wall_time), not camel-cased.
export const FIXTURE_ROOT = new protobuf.Root().loadSync(path.join(__dirname, '..', 'fixtures', 'tensorboard', 'events_subset.proto'), { keepCase: true });

/** TensorBoard's own .proto files, when SAMPGEN_TB_PROTO_ROOT names a folder that holds tensorboard/compat/proto/. */
export function upstreamRoot(): protobuf.Root | null {
  const dir = process.env.SAMPGEN_TB_PROTO_ROOT;
  if (!dir) return null;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(dir, target));
  return root.loadSync(path.join(dir, 'tensorboard/compat/proto/event.proto'), { keepCase: true });
}

// What the test reads from an Event (protobufjs's toObject with enums as names, int64 as numbers).
export interface DecodedEvent {
  wall_time: number;
  step: number;
  file_version?: string;
  source_metadata?: { writer: string };
  session_log?: { status: string };
  summary?: {
    value: {
      tag: string;
      simple_value?: number;
      metadata?: { plugin_data?: { plugin_name: string; content: Buffer }; data_class?: string };
      audio?: { sample_rate: number; num_channels: number; length_frames: number; encoded_audio_string: Buffer; content_type: string };
      tensor?: { dtype: string; tensor_shape?: { dim?: unknown[] }; string_val: Buffer[] };
    }[];
  };
}

/** Decodes every event; `defaults` fills the fields the writer left unset (proto3 omits zeros) with their zeros. */
export function readEvents(file: string, root: protobuf.Root = FIXTURE_ROOT, defaults = true): DecodedEvent[] {
  const Event = root.lookupType('tensorboard.Event');
  return readRecords(fs.readFileSync(file)).map(
    (data) => Event.toObject(Event.decode(data), { enums: String, longs: Number, bytes: Buffer, defaults, oneofs: false }) as DecodedEvent,
  );
}

export function eventFiles(runDir: string): string[] {
  return fs
    .readdirSync(path.join(runDir, 'tb'))
    .sort()
    .map((f) => path.join(runDir, 'tb', f));
}

