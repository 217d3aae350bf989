import { SampgenConfig } from '../config';
import '../models/families';
import { familyOf, TrainerOptions } from '../models/family';
import { ModelTrainer } from './model-trainer';

export type { TrainerOptions } from '../models/family';

/**
 * Builds the models and the trainer a config describes, with initial weights drawn from `initSeed`: the config's
 * model family (src/models/families) does it.
 */
export function buildTrainer(config: SampgenConfig, initSeed: number, options: TrainerOptions = {}): ModelTrainer {
  return familyOf(config.model.type).buildTrainer(config, initSeed, options);
}
