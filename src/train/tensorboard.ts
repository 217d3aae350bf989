import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import * as CRC32C from 'crc-32/crc32c';
import { encodeWav } from '../audio/encode';
import { errorMessage } from '../errors';
import { VERSION } from '../version';

/*
 * TensorBoard event files: `tensorboard --logdir runs/` reads every `*tfevents*` file under a run folder.
 *
 * A file is a sequence of TFRecords, each one a serialized `Event` protobuf:
 *   uint64 length (little-endian) | uint32 masked CRC32C of those 8 bytes | data | uint32 masked CRC32C of data
 * where mask(crc) = ((crc >>> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32). The first record is an Event with
 * file_version "brain.Event:2". protobufjs encodes the messages and crc-32's CRC32C computes the checksums; this
 * file only lays out the framing.
 *
 * The files are append-only and written synchronously, one write per record, so that a crash loses at most the
 * record being written (TensorBoard stops at a torn last record). Per-record atomicity through src/util/atomic.ts
 * does not fit a stream that TensorBoard tails while training runs; no fsync either: the OS flushes on its own,
 * and a lost tail after a power cut costs only a few plot points.
 *
 * Failure policy: experiment tracking must never lose the run. If the events file cannot be created or written
 * (disk full, folder removed, permissions), the writer reports once through `onError` (default: a process
 * warning), closes the file and ignores all later calls. Programming errors (a bad tag or step) still throw.
 */

/**
 * The messages written here, as a protobufjs JSON descriptor: the subset of TensorBoard's protos that scalars,
 * audio, text and restarts need, with the field numbers and types of (in tensorflow/tensorboard, which copies them
 * from tensorflow/tensorflow):
 *   tensorboard/compat/proto/event.proto        (tensorflow/core/util/event.proto): Event, SourceMetadata, SessionLog
 *   tensorboard/compat/proto/summary.proto      (tensorflow/core/framework/summary.proto): Summary, Summary.Value,
 *                                               Summary.Audio, SummaryMetadata, SummaryMetadata.PluginData, DataClass
 *   tensorboard/compat/proto/tensor.proto       (tensorflow/core/framework/tensor.proto): TensorProto
 *   tensorboard/compat/proto/tensor_shape.proto (tensorflow/core/framework/tensor_shape.proto): TensorShapeProto
 *   tensorboard/compat/proto/types.proto        (tensorflow/core/framework/types.proto): DataType
 * Fields and oneof members that are left out are simply never written; the wire format does not depend on them.
 */
const SCHEMA: protobuf.INamespace = {
  nested: {
    Event: {
      oneofs: { what: { oneof: ['file_version', 'summary', 'session_log'] } },
      fields: {
        wall_time: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        file_version: { type: 'string', id: 3 },
        summary: { type: 'Summary', id: 5 },
        session_log: { type: 'SessionLog', id: 7 },
        source_metadata: { type: 'SourceMetadata', id: 10 },
      },
    },
    SourceMetadata: { fields: { writer: { type: 'string', id: 1 } } },
    SessionLog: {
      fields: { status: { type: 'SessionStatus', id: 1 }, checkpoint_path: { type: 'string', id: 2 }, msg: { type: 'string', id: 3 } },
      nested: { SessionStatus: { values: { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } } },
    },
    Summary: {
      fields: { value: { rule: 'repeated', type: 'Value', id: 1 } },
      nested: {
        Audio: {
          fields: {
            sample_rate: { type: 'float', id: 1 },
            num_channels: { type: 'int64', id: 2 },
            length_frames: { type: 'int64', id: 3 },
            encoded_audio_string: { type: 'bytes', id: 4 },
            content_type: { type: 'string', id: 5 },
          },
        },
        Value: {
          oneofs: { value: { oneof: ['simple_value', 'audio', 'tensor'] } },
          fields: {
            tag: { type: 'string', id: 1 },
            simple_value: { type: 'float', id: 2 },
            audio: { type: 'Audio', id: 6 },
            tensor: { type: 'TensorProto', id: 8 },
            metadata: { type: 'SummaryMetadata', id: 9 },
          },
        },
      },
    },
    SummaryMetadata: {
      fields: { plugin_data: { type: 'PluginData', id: 1 }, data_class: { type: 'DataClass', id: 4 } },
      nested: { PluginData: { fields: { plugin_name: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } } },
    },
    DataClass: { values: { DATA_CLASS_UNKNOWN: 0, DATA_CLASS_SCALAR: 1, DATA_CLASS_TENSOR: 2, DATA_CLASS_BLOB_SEQUENCE: 3 } },
    TensorProto: {
      fields: {
        dtype: { type: 'DataType', id: 1 },
        tensor_shape: { type: 'TensorShapeProto', id: 2 },
        string_val: { rule: 'repeated', type: 'bytes', id: 8 },
      },
    },
    TensorShapeProto: {
      fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } },
      nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
    },
    DataType: { values: { DT_INVALID: 0, DT_STRING: 7 } },
  },
};

const EventMessage = protobuf.Root.fromJSON({ nested: { tensorboard: SCHEMA } }).lookupType('tensorboard.Event');

const FILE_VERSION = 'brain.Event:2';
const SESSION_LOG_START = 1;
const DT_STRING = 7;
const DATA_CLASS_TENSOR = 2;

/** TFRecord's checksum: CRC32C, rotated and offset so that a CRC over data that holds CRCs stays well spread. */
function maskedCrc32c(bytes: Uint8Array): number {
  const crc = CRC32C.buf(bytes) >>> 0;
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** One TFRecord around `data` (see the top of the file). */
export function tfRecord(data: Uint8Array): Buffer {
  const record = Buffer.alloc(8 + 4 + data.length + 4);
  record.writeBigUInt64LE(BigInt(data.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, 8)), 8);
  record.set(data, 12);
  record.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return record;
}

/**
 * TensorBoard's text dashboard renders Markdown, which would run a YAML file's lines together: this indents every
 * line by four spaces so that the text shows as a preformatted code block, verbatim.
 */
export function markdownCodeBlock(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => (line === '' ? '' : '    ' + line))
    .join('\n');
}

export interface EventWriterOptions {
  /**
   * For a resumed run: the first step the resumed run will log. Every file starts with a SessionLog START event, at
   * this step (0 when absent). TensorBoard takes a run's first START as the session's start and every later one as a
   * restart, dropping the points at its step and later that earlier files hold (logged after the checkpoint, before
   * the interruption: they are trained and logged again). TensorBoard's Rust data server ignores START and instead
   * drops a tag's points at and after the step of each new point of that tag, so there a tag that is not logged
   * again after the resume (say, audio every K epochs) keeps its orphaned points until it is.
   */
  resumeStep?: number;
  /** Called once, with a message naming the file and the reason, when the file cannot be written. Default: process.emitWarning. */
  onError?: (message: string) => void;
}

export interface EventWriter {
  /** The events file (under <runDir>/tb/). */
  readonly file: string;
  /** False once a write has failed (reported through onError; later calls do nothing) or the writer was closed (later calls throw). */
  readonly writing: boolean;
  /** One Event with one scalar (`simple_value`, float32) per entry, e.g. { 'loss/train': 0.1, lr: 1e-3 }. */
  scalars(step: number, values: Record<string, number>): void;
  /** A mono clip (samples nominally in [-1, 1]) as a 16-bit PCM WAV, for TensorBoard's audio dashboard. */
  audio(step: number, tag: string, samples: Float32Array, sampleRate: number): void;
  /** Markdown for TensorBoard's text dashboard (wrap plain text such as YAML in markdownCodeBlock first). */
  text(step: number, tag: string, markdown: string): void;
  /** Closes the file. Every record is already written through to the OS, so nothing is lost without a close. */
  close(): void;
}

/** `<unix seconds>.<host>` as TensorFlow names its event files; the host keeps only file-name-safe characters. */
function eventFileBase(now: Date): string {
  const host = os.hostname().replace(/[^A-Za-z0-9._-]/g, '_') || 'localhost';
  return `events.out.tfevents.${Math.floor(now.getTime() / 1000)}.${host}`;
}

function checkStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`tensorboard: step must be a non-negative integer, got ${step}`);
}

function checkTag(tag: string): void {
  if (typeof tag !== 'string' || tag.length === 0) throw new RangeError(`tensorboard: a tag must be a non-empty string, got ${JSON.stringify(tag)}`);
}

/**
 * Opens a new events file, <runDir>/tb/events.out.tfevents.<unix seconds>.<host> (with .1, .2, … appended when a
 * file of that name exists: a file is never reopened or overwritten), and writes its first records.
 */
export function openEventWriter(runDir: string, options: EventWriterOptions = {}): EventWriter {
  if (options.resumeStep !== undefined) checkStep(options.resumeStep);
  const onError = options.onError ?? ((message: string) => process.emitWarning(message));
  const dir = path.join(runDir, 'tb');
  const now = new Date();
  const base = path.join(dir, eventFileBase(now));
  let file = base;
  let fd: number | null = null;
  let failed = false;
  let closed = false;

  const fail = (doing: string, err: unknown) => {
    failed = true;
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing: the first error is the one worth reporting
      }
      fd = null;
    }
    onError(`TensorBoard events: could not ${doing} ${file} (${errorMessage(err)}); training goes on without TensorBoard logs`);
  };

  try {
    fs.mkdirSync(dir, { recursive: true });
    // 'wx' fails if the file exists: two writers opened within one second get distinct files instead of sharing one.
    for (let n = 1; fd === null; n++) {
      try {
        fd = fs.openSync(file, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw err;
        file = `${base}.${n}`;
      }
    }
  } catch (err) {
    fail('create', err);
  }

  const write = (event: Record<string, unknown>) => {
    if (closed) throw new Error(`tensorboard: ${file} is closed`);
    if (failed || fd === null) return;
    const record = tfRecord(EventMessage.encode(EventMessage.fromObject(event)).finish());
    try {
      for (let written = 0; written < record.length; ) written += fs.writeSync(fd, record, written);
    } catch (err) {
      fail('write', err);
    }
  };
  const wallTime = () => Date.now() / 1000;

  write({ wall_time: now.getTime() / 1000, step: 0, file_version: FILE_VERSION, source_metadata: { writer: `sampgen ${VERSION}` } });
  // Also in a fresh run's file: TensorBoard's Python loader ignores a run's first START, so a resumed file's START
  // purges only if the first file had one (a fresh start over an old run's files, at step 0, purges them all).
  write({ wall_time: wallTime(), step: options.resumeStep ?? 0, session_log: { status: SESSION_LOG_START } });

  return {
    get file() {
      return file;
    },
    get writing() {
      return !failed && !closed;
    },
    scalars(step, values) {
      checkStep(step);
      const entries = Object.entries(values);
      for (const [tag, v] of entries) {
        checkTag(tag);
        if (typeof v !== 'number') throw new TypeError(`tensorboard: scalar '${tag}' must be a number, got ${typeof v}`);
      }
      if (entries.length === 0) return;
      write({ wall_time: wallTime(), step, summary: { value: entries.map(([tag, v]) => ({ tag, simple_value: v })) } });
    },
    audio(step, tag, samples, sampleRate) {
      checkStep(step);
      checkTag(tag);
      if (failed) return; // spare the encoding
      const wav = encodeWav(samples, sampleRate, 'pcm16');
      const audio = { sample_rate: sampleRate, num_channels: 1, length_frames: samples.length, encoded_audio_string: wav, content_type: 'audio/wav' };
      write({ wall_time: wallTime(), step, summary: { value: [{ tag, audio }] } });
    },
    text(step, tag, markdown) {
      checkStep(step);
      checkTag(tag);
      // What TensorBoard's own text summary writes: a rank-0 DT_STRING tensor tagged for the 'text' plugin
      // (plugin content: an empty TextPluginData, i.e. version 0).
      const tensor = { dtype: DT_STRING, tensor_shape: {}, string_val: [Buffer.from(markdown, 'utf8')] };
      const metadata = { plugin_data: { plugin_name: 'text', content: new Uint8Array(0) }, data_class: DATA_CLASS_TENSOR };
      write({ wall_time: wallTime(), step, summary: { value: [{ tag, metadata, tensor }] } });
    },
    close() {
      if (closed) return;
      closed = true;
      const open = fd;
      fd = null;
      if (open === null) return;
      try {
        fs.closeSync(open);
      } catch (err) {
        if (!failed) fail('close', err);
      }
    },
  };
}
