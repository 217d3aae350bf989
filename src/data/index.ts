/** Reading dataset folders for training: rows on demand, reproducible splits and per-epoch shuffled batches. */
export * from './format';
export type { Dataset } from './dataset';
export { openDataset, readDatasetInfo, validateDatasetInfo } from './dataset';
export { splitIndices, trainingSplit, batches, batchCount } from './split';
export { datasetFingerprint } from './fingerprint';
