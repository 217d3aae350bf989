import { createHash } from 'crypto';
import { canonicalJson } from '../config/hash';
import type { DatasetInfo } from './format';

/**
 * What a dataset is, in 16 hex digits: sha256 over what dataset.json says determines its rows (the sources'
 * content hashes and paths in row order, the preprocessing parameters, sample rate, length, count and attack).
 * With samples.f32's own sha256 where dataset.json records it (the same sources preprocessed differently change it).
 * Re-running `preprocess --force` with other files into the same folder changes it, so a run can tell that the
 * data under its `data.path` is no longer the data it was trained on. Folder location and creation time are left
 * out: a copied dataset is the same dataset.
 */
export function datasetFingerprint(info: DatasetInfo): string {
  const identity = {
    sample_rate: info.sample_rate,
    length: info.length,
    count: info.count,
    attack: info.attack,
    parameters: info.parameters,
    // Version 2 adds each row's class (a conditional model trained on other labels is another experiment).
    files: info.files.map((f) => (f.class === undefined ? [f.path, f.sha256] : [f.path, f.sha256, f.class])),
    ...(info.samples_sha256 ? { samples_sha256: info.samples_sha256 } : {}),
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}
