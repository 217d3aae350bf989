/**
 * Run folders on every machine are named by these hashes: a change here strands every existing run (train would
 * start over in a new folder, a sweep would retrain finished entries). The model-family registry and any other
 * refactoring must keep them; a deliberate change of what the hash covers must come with a way to find old runs
 * (as legacyHashedView does for the first releases).
 */
import * as path from 'path';
import { loadConfig } from '../../src/config';

const CONFIGS = path.join(__dirname, '..', '..', 'configs');

test.each([
  ['ae-big-relu.yaml', '80e0e59c'],
  ['ae-big-sigmoid.yaml', 'f150e1f6'],
  ['ae-big-tanh.yaml', '79650f83'],
  ['ae-medium-relu.yaml', '0e392738'],
  ['ae-medium-sigmoid.yaml', 'ed3240a9'],
  ['ae-medium-tanh.yaml', '903ef439'],
  ['ae-small-relu.yaml', 'bb801bb2'],
  ['ae-small-sigmoid.yaml', 'dd2e73da'],
  ['ae-small-tanh.yaml', '811d45f8'],
  ['conv-ae.yaml', '92b94de1'],
  ['gan.yaml', '690ae836'],
  ['vae-a.yaml', '9f3fb467'],
  ['vae-b.yaml', '38384159'],
  ['vae-c.yaml', '6363cf89'],
])('the shipped %s hashes to %s', (file, hash) => {
  expect(loadConfig(path.join(CONFIGS, file)).hash).toBe(hash);
});

test.each([
  ['ae-small-tanh.yaml', '91d76b8b'],
  ['vae-c.yaml', '9c8ca672'],
  ['gan.yaml', '105a5cc0'],
])('%s with a cosine schedule and warm-up hashes to %s', (file, hash) => {
  expect(loadConfig(path.join(CONFIGS, file), ['train.lr_schedule=cosine', 'train.lr_warmup_epochs=2']).hash).toBe(hash);
});
