/** Reading dataset folders for training: rows on demand, reproducible splits and per-epoch shuffled batches. */
export * from './format';
export { Dataset, openDataset, readDatasetInfo, validateDatasetInfo } from './dataset';
export { splitIndices, batches, batchCount } from './split';
