import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { decodeAudio } from '../../src/audio';
import { markdownCodeBlock, openEventWriter } from '../../src/train/tensorboard';
import { tempDir } from '../helpers/dataset';
import { eventFiles, FIXTURE_ROOT, readEvents, readRecords, referenceCrc32c, upstreamRoot } from '../helpers/tfevents';

/*
 * The writer is checked by an independent reader: this file's own TFRecord framing parser and bitwise CRC32C, and
 * a schema loaded from a .proto file with protobufjs's .proto parser (test/fixtures/tensorboard/, written from
 * TensorBoard's published definitions; the writer uses its own JSON descriptor). Set SAMPGEN_TB_PROTO_ROOT to a
 * folder holding TensorBoard's tensorboard/compat/proto/*.proto to decode with TensorBoard's own files as well.
 */

const CONFIG_YAML = 'name: kick-vae\nmodel:\n  type: vae\n  latent: 16\ntrain:\n  epochs: 3 # étude\n';

function sine(n: number, sampleRate: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.8 * Math.sin((2 * Math.PI * 440 * i) / sampleRate) * Math.exp(-i / 200);
  return x;
}

/** A short run's events: config text, two epochs of scalars, one audio preview. */
function writeRun(runDir: string) {
  const clip = sine(400, 8000);
  const epochs = [
    { 'loss/train': 0.5, 'loss/val': 0.625, beta: 1e-3, lr: 1e-3, samples_per_s: 1234.5 },
    { 'loss/train': 0.25, 'loss/val': 0.3, beta: 2e-3, lr: 5e-4, samples_per_s: 1300.25 },
  ];
  const tb = openEventWriter(runDir);
  tb.text(0, 'config', markdownCodeBlock(CONFIG_YAML));
  tb.scalars(1, epochs[0]);
  tb.scalars(2, epochs[1]);
  tb.audio(2, 'reconstruction/0', clip, 8000);
  tb.close();
  return { file: tb.file, clip, epochs };
}

describe('reference CRC32C', () => {
  it('has the standard check value', () => {
    expect(referenceCrc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });
});

describe('openEventWriter', () => {
  it('writes framed, checksummed events that decode to the scalars, audio and text it was given', async () => {
    const runDir = tempDir();
    const before = Math.floor(Date.now() / 1000);
    const { file, clip, epochs } = writeRun(runDir);
    const after = Date.now() / 1000;

    expect(eventFiles(runDir)).toEqual([file]);
    const name = path.basename(file).match(/^events\.out\.tfevents\.(\d+)\.[A-Za-z0-9._-]+$/);
    expect(name).not.toBeNull();
    expect(Number(name![1])).toBeGreaterThanOrEqual(before);
    expect(Number(name![1])).toBeLessThanOrEqual(after);

    const events = readEvents(file);
    expect(events).toHaveLength(6);
    for (const e of events) {
      expect(e.wall_time).toBeGreaterThanOrEqual(before);
      expect(e.wall_time).toBeLessThanOrEqual(after);
    }
    expect(events[0].file_version).toBe('brain.Event:2');
    expect(events[0].source_metadata?.writer).toMatch(/^sampgen /);
    // A fresh run's SessionLog START, at step 0: TensorBoard takes later STARTs (resumed runs) as restarts.
    expect(events[1].session_log?.status).toBe('START');
    expect(events.map((e) => e.step)).toEqual([0, 0, 0, 1, 2, 2]);

    // Text: a rank-0 DT_STRING tensor for the text plugin, holding the Markdown exactly.
    const text = events[2].summary!.value;
    expect(text).toHaveLength(1);
    expect(text[0].tag).toBe('config');
    expect(text[0].metadata?.plugin_data?.plugin_name).toBe('text');
    expect(text[0].metadata?.data_class).toBe('DATA_CLASS_TENSOR');
    expect(text[0].tensor?.dtype).toBe('DT_STRING');
    expect(text[0].tensor?.tensor_shape?.dim ?? []).toEqual([]);
    expect(text[0].tensor?.string_val.map((b) => b.toString('utf8'))).toEqual([markdownCodeBlock(CONFIG_YAML)]);

    // Scalars: one value per key, stored as float32.
    for (const [i, expected] of epochs.entries()) {
      const values = events[3 + i].summary!.value;
      expect(values.map((v) => v.tag)).toEqual(Object.keys(expected));
      for (const v of values) expect(v.simple_value).toBe(Math.fround(expected[v.tag as keyof typeof expected]));
    }

    // Audio: a mono 16-bit WAV whose samples are the clip's to within half a 16-bit step.
    const [audio] = events[5].summary!.value;
    expect(audio.tag).toBe('reconstruction/0');
    expect(audio.audio).toMatchObject({ sample_rate: 8000, num_channels: 1, length_frames: clip.length, content_type: 'audio/wav' });
    const wav = await decodeAudio(audio.audio!.encoded_audio_string);
    expect(wav.format).toBe('WAV PCM 16-bit');
    expect(wav.sampleRate).toBe(8000);
    expect(wav.channels).toHaveLength(1);
    expect(wav.channels[0]).toHaveLength(clip.length);
    let worst = 0;
    for (let i = 0; i < clip.length; i++) worst = Math.max(worst, Math.abs(wav.channels[0][i] - clip[i]));
    expect(worst).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
  });

  it('the reader in this test rejects a record whose bytes changed', () => {
    const runDir = tempDir();
    const { file } = writeRun(runDir);
    const bytes = fs.readFileSync(file);
    const lastByteOfFirstData = Number(bytes.readBigUInt64LE(0)) + 11;
    bytes[lastByteOfFirstData] ^= 1;
    expect(() => readRecords(bytes)).toThrow('record at 0: bad data CRC');
    expect(() => readRecords(fs.readFileSync(file).subarray(0, -1))).toThrow(/truncated data/);
  });

  (upstreamRoot() ? it : it.skip)('decodes the same with TensorBoard’s own .proto files (SAMPGEN_TB_PROTO_ROOT)', () => {
    const runDir = tempDir();
    const { file } = writeRun(runDir);
    // Without defaults: TensorBoard's messages have more fields, whose zeros would differ from the subset's.
    expect(readEvents(file, upstreamRoot()!, false)).toEqual(readEvents(file, FIXTURE_ROOT, false));
  });

  it('a resumed run gets a new file that starts with SessionLog START at the resume step, leaving the old file as it was', () => {
    const runDir = tempDir();
    const first = openEventWriter(runDir);
    for (let step = 1; step <= 5; step++) first.scalars(step, { 'loss/train': 1 / step });
    first.close();
    const firstBytes = fs.readFileSync(first.file);

    const resumed = openEventWriter(runDir, { resumeStep: 4 });
    resumed.scalars(4, { 'loss/train': 0.2 });
    resumed.close();

    expect(resumed.file).not.toBe(first.file);
    // TensorBoard reads a folder's files in name order: the resumed one must sort after the first.
    expect(eventFiles(runDir)).toEqual([first.file, resumed.file]);
    expect(fs.readFileSync(first.file).equals(firstBytes)).toBe(true);
    const events = readEvents(resumed.file);
    expect(events.map((e) => [e.step, e.file_version ?? e.session_log?.status ?? e.summary?.value[0].tag])).toEqual([
      [0, 'brain.Event:2'],
      [4, 'START'],
      [4, 'loss/train'],
    ]);
  });

  it('when the folder cannot be created it reports once and ignores later calls instead of throwing', () => {
    const runDir = tempDir();
    fs.writeFileSync(path.join(runDir, 'tb'), 'not a folder');
    const messages: string[] = [];
    const tb = openEventWriter(runDir, { onError: (m) => messages.push(m) });
    expect(tb.writing).toBe(false);
    tb.scalars(1, { loss: 1 });
    tb.audio(1, 'a', new Float32Array(10), 8000);
    tb.text(1, 't', 'x');
    tb.close();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(path.join(runDir, 'tb'));
    expect(messages[0]).toMatch(/could not create .*training goes on without TensorBoard logs/);
  });

  it('when a write fails (disk full) it reports once, keeps the records written before, and writes nothing more', () => {
    const runDir = tempDir();
    const messages: string[] = [];
    const tb = openEventWriter(runDir, { onError: (m) => messages.push(m) });
    tb.scalars(1, { loss: 1 });
    // The fs module object itself: `import * as fs` gives this file its own wrapper, which spyOn cannot reach through.
    const writeSync = jest.spyOn(require('fs') as typeof fs, 'writeSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    });
    try {
      tb.scalars(2, { loss: 0.5 });
      expect(tb.writing).toBe(false);
      tb.scalars(3, { loss: 0.25 });
      tb.text(3, 'notes', 'more');
      expect(writeSync).toHaveBeenCalledTimes(1);
    } finally {
      writeSync.mockRestore();
    }
    tb.close();
    expect(messages).toEqual([expect.stringMatching(/could not write .*tfevents.*ENOSPC/)]);
    expect(readEvents(tb.file).map((e) => e.step)).toEqual([0, 0, 1]);
  });

  it('rejects bad steps and tags (programming errors), and writing after close', () => {
    const tb = openEventWriter(tempDir());
    expect(() => tb.scalars(-1, { loss: 1 })).toThrow(RangeError);
    expect(() => tb.scalars(1.5, { loss: 1 })).toThrow(RangeError);
    expect(() => tb.scalars(1, { '': 1 })).toThrow(RangeError);
    expect(() => tb.audio(1, '', new Float32Array(4), 8000)).toThrow(RangeError);
    tb.close();
    expect(() => tb.scalars(1, { loss: 1 })).toThrow(/closed/);
    expect(() => openEventWriter(tempDir(), { resumeStep: -2 })).toThrow(RangeError);
  });
});

describe('markdownCodeBlock', () => {
  it('indents every line by four spaces, so Markdown shows the text verbatim', () => {
    expect(markdownCodeBlock('a: 1\r\nb:\n  - c\n')).toBe('    a: 1\n    b:\n      - c\n');
  });
});
