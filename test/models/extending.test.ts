/** docs/extending.md's worked example: a family in one module, registered, trained and exported like any other. */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LINEAR_AE } from '../../examples/families/linear-ae';
import { loadConfig, resolveConfigObject } from '../../src/config';
import { configReference } from '../../src/config/reference';
import { familyTypes } from '../../src/models/family';
import { loadModelFromDir, readModelMetadata } from '../../src/export';
import { trainModel } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

const ROOT = path.join(__dirname, '..', '..');
const LENGTH = 64;

test('docs/extending.md shows the example module exactly', () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'extending.md'), 'utf8');
  const example = fs.readFileSync(path.join(ROOT, 'examples', 'families', 'linear-ae.ts'), 'utf8').trimEnd();
  expect(doc).toContain('```ts\n' + example + '\n```');
  expect(example.split('\n').length).toBeLessThan(100);
});

test('registered, the example family is a model.type with its own key, documented and hashed, and trains and exports', async () => {
  expect(LINEAR_AE.type).toBe('linear-ae');
  expect(familyTypes()).toContain('linear-ae');
  // Its key is validated, defaulted, documented and part of the run hash like any other.
  expect(() => resolveConfigObject({ model: { type: 'linear-ae', bias: 'yes' } }, 'c')).toThrow(/model.bias must be true or false/);
  expect(resolveConfigObject({ model: { type: 'linear-ae' } }, 'c').config.model).toEqual({ type: 'linear-ae', latent: 2, length: 17640, bias: true });
  expect(resolveConfigObject({ model: { type: 'linear-ae' } }, 'c').hash).not.toBe(resolveConfigObject({ model: { type: 'linear-ae', bias: false } }, 'c').hash);
  expect(configReference()).toContain('| `model.bias` | true or false | linear-ae: true |');

  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(24, LENGTH));
  fs.writeFileSync(
    path.join(root, 'linear.yaml'),
    [
      'model: { type: linear-ae, latent: 2, length: 64, bias: false }',
      `data: { path: ${JSON.stringify(data)}, validation: 0.25 }`,
      'train: { epochs: 20, batch_size: 6, lr: 0.01, seed: 1, backend: cpu }',
      `output: { runs: ${JSON.stringify(path.join(root, 'runs'))}, models: ${JSON.stringify(path.join(root, 'models'))} }`,
    ].join('\n'),
  );
  const result = await trainModel({ loaded: loadConfig(path.join(root, 'linear.yaml')) });
  const log = readLog(result.runDir);
  expect(log.at(-1)!.loss).toBeLessThan(0.7 * log[0]!.loss);
  expect(readModelMetadata(result.modelDir!)).toMatchObject({ model_type: 'linear-ae', latent: 2, latent_prior: null });
  const decoder = await loadModelFromDir(path.join(result.modelDir!, 'decoder'));
  // No bias: the decoder is linear through the origin, so the zero point decodes to silence.
  expect(Array.from((decoder.predict(tf.zeros([1, 2])) as tf.Tensor).dataSync()).every((v) => v === 0)).toBe(true);
  decoder.dispose();
});

test('the example type-checks under the project\'s strict settings (the docs show code that compiles)', () => {
  // The TypeScript compiler itself: ts-jest transpiles without type-checking (isolatedModules).
  const ts = require('typescript') as typeof import('typescript');
  const file = path.join(ROOT, 'examples', 'families', 'linear-ae.ts');
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const program = ts.createProgram([file], { ...config.options, noEmit: true, rootDir: ROOT });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(problems).toEqual([]);
}, 120000);
