import * as fs from 'fs';
import { readAudioFile, AudioDecodeError, DecodedAudio } from '../audio';
import { specialFileKind } from '../util/file-kind';
import { ModelMetadata } from '../export';
import { UserError } from '../errors';
import { preprocessWithLevels, SourceLevels } from '../preprocess/pipeline';
import { ChannelMode } from '../preprocess/channel';

/**
 * The dataset's own chain (channel, resample, peak-align, trim) with the parameters recorded in the model's
 * sampgen.json, so that a new sample lands where the training data did. Returns the row, or why it can't be used.
 */
export function preprocessDecodedForModel(decoded: DecodedAudio, meta: Pick<ModelMetadata, 'preprocess' | 'length'>): Float32Array | { reason: string } {
  const done = preprocessDecodedWithLevels(decoded, meta);
  return 'reason' in done ? done : done.row;
}

/** preprocessDecodedForModel, with the source's level before processing (a conditional model's velocity). */
export function preprocessDecodedWithLevels(decoded: DecodedAudio, meta: Pick<ModelMetadata, 'preprocess' | 'length'>): { row: Float32Array; levels: SourceLevels } | { reason: string } {
  const p = meta.preprocess;
  const done = preprocessWithLevels(decoded, {
    sampleRate: p.sample_rate,
    channel: p.channel as ChannelMode,
    attackSamples: p.attack,
    lengthSamples: p.length,
  });
  if (!('reason' in done) && done.row.length !== meta.length) {
    return { reason: `the preprocessing chain made ${done.row.length} samples but the model takes ${meta.length}` };
  }
  return done;
}

/** Reads an audio file and preprocesses it for the model; a file that can't be used is a UserError naming it. */
export async function preprocessForModel(file: string, meta: ModelMetadata): Promise<Float32Array> {
  return (await preprocessFileWithLevels(file, meta)).row;
}

/** preprocessForModel, with the source's level before processing. */
export async function preprocessFileWithLevels(file: string, meta: ModelMetadata): Promise<{ row: Float32Array; levels: SourceLevels }> {
  checkReadableAsFile(file);
  let decoded;
  try {
    decoded = await readAudioFile(file);
  } catch (err) {
    if (err instanceof AudioDecodeError) throw new UserError(`${file}: ${err.message}`);
    throw err;
  }
  const done = preprocessDecodedWithLevels(decoded, meta);
  if ('reason' in done) throw new UserError(`${file}: cannot be encoded: ${done.reason}`);
  return done;
}

/** Refuses what is not a regular file before reading it: reading a FIFO blocks forever, a device may never end. */
function checkReadableAsFile(file: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return; // missing or unreachable: readAudioFile says why, in its words
  }
  if (stat.isDirectory()) throw new UserError(`${file}: is a folder, not an audio file`);
  if (!stat.isFile()) throw new UserError(`${file}: is ${specialFileKind(stat)}, not a regular file`);
}
