import type { DecodedAudio } from '../audio/types';
import type { ModelMetadata } from '../export/metadata';
import { ChannelMode } from '../preprocess/channel';
import { preprocessWithLevels, SourceLevels } from '../preprocess/chain';

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
