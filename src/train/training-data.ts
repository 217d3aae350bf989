import { LoadedConfig } from '../config';
import { openDataset, Dataset } from '../data';
import { UserError } from '../errors';

/** Opens the config's dataset for training, refusing one whose rows do not fit the model or that is empty. */
export function openTrainingDataset(loaded: LoadedConfig): Dataset {
  const { config } = loaded;
  const dataset = openDataset(config.data.path);
  if (dataset.length !== config.model.length) {
    dataset.close();
    throw new UserError(
      `dataset ${config.data.path} has samples of length ${dataset.length}, but ${loaded.file} sets model.length = ` +
        `${config.model.length}; preprocess with --length ${config.model.length}s or set model.length`,
    );
  }
  if (dataset.count < 1) {
    dataset.close();
    throw new UserError(`dataset ${config.data.path} is empty (count 0)`);
  }
  return dataset;
}
