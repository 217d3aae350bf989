import * as fs from 'fs';
import { readAudioFile, AudioDecodeError } from '../audio';
import { specialFileKind } from '../util/file-kind';
import { ModelMetadata } from '../export';
import { UserError } from '../errors';
import type { SourceLevels } from '../preprocess/pipeline';
import { preprocessDecodedWithLevels } from './model-chain';

// The chain on decoded audio lives in model-chain.ts, free of Node's modules, so that the static site's page runs it.
export { preprocessDecodedForModel, preprocessDecodedWithLevels } from './model-chain';

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
