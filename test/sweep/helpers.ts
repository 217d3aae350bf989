import * as fs from 'fs';
import * as path from 'path';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

export const LENGTH = 64;

/**
 * A temp project: a tiny dataset, tiny dense-ae configs (L 64, cpu backend) under configs/, runs/ and models/
 * inside the folder, and a grid file written from `grid` (YAML text).
 */
export function tinyProject(grid: string, opts: { configs?: Record<string, string>; epochs?: number } = {}) {
  const root = tempDir('sampgen-sweep-');
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(16, LENGTH));
  fs.mkdirSync(path.join(root, 'configs'));
  const common = (extra: string) =>
    [
      `data: { path: ${JSON.stringify(data)}, validation: 0.25 }`,
      `train: { epochs: ${opts.epochs ?? 2}, batch_size: 6, lr: 0.01, seed: 3, backend: cpu, checkpoint_every: 1, log_every: 1 }`,
      `output: { runs: ${JSON.stringify(path.join(root, 'runs'))}, models: ${JSON.stringify(path.join(root, 'models'))} }`,
      extra,
    ].join('\n');
  const configs = opts.configs ?? {
    'ae-small-tanh.yaml': `model: { type: dense-ae, size: small, activation: tanh, length: ${LENGTH} }`,
    'ae-small-relu.yaml': `model: { type: dense-ae, size: small, activation: relu, length: ${LENGTH} }`,
  };
  for (const [name, model] of Object.entries(configs)) fs.writeFileSync(path.join(root, 'configs', name), common(model) + '\n');
  const gridFile = path.join(root, 'grid.yaml');
  fs.writeFileSync(gridFile, grid);
  return { root, data, gridFile, runs: path.join(root, 'runs') };
}
