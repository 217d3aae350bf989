import { readAudioFile, AudioDecodeError } from '../audio';
import { ModelMetadata } from '../export';
import { UserError } from '../errors';
import { preprocessSignal } from '../preprocess/pipeline';
import { ChannelMode } from '../preprocess/channel';

/**
 * Reads an audio file and runs the dataset's own chain on it (channel, resample, peak-align, trim), with the
 * parameters recorded in the model's sampgen.json, so that a new sample lands where the training data did.
 */
export async function preprocessForModel(file: string, meta: ModelMetadata): Promise<Float32Array> {
  let decoded;
  try {
    decoded = await readAudioFile(file);
  } catch (err) {
    if (err instanceof AudioDecodeError) throw new UserError(`${file}: ${err.message}`);
    throw err;
  }
  const p = meta.preprocess;
  const row = preprocessSignal(decoded, {
    sampleRate: p.sample_rate,
    channel: p.channel as ChannelMode,
    attackSamples: p.attack,
    lengthSamples: p.length,
  });
  if (!(row instanceof Float32Array)) throw new UserError(`${file}: cannot be encoded: ${row.reason}`);
  return row;
}
