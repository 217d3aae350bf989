/**
 * Experiment tracking for a run: TensorBoard event files under `<run>/tb/` (so `tensorboard --logdir runs/` shows
 * every run), and `<run>/provenance.jsonl`, one line per training session (fresh start or resume) saying what ran
 * it: sampgen version, the configs' git commit, host, CPU, backend, dataset fingerprint.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LoadedConfig, serializeConfig } from '../config';
import { Dataset } from '../data';
import { withPath } from '../errors';
import { Progress, warnThrough } from '../progress';
import { Rng } from '../util/rng';
import { ModelTrainer } from './model-trainer';
import { conditionBatch } from './condition-batch';
import { collectProvenance } from './provenance';
import type { EpochHook } from './run';
import { markdownCodeBlock, openEventWriter } from './tensorboard';

/** Examples whose reconstructions (or latent draws whose generations) are previewed as audio. */
const PREVIEW_COUNT = 2;
const PREVIEW_SEED = 0x5eed;

export interface Tracking {
  onEpoch: EpochHook;
  close(): void;
}

export function startTracking(input: {
  runDir: string;
  loaded: LoadedConfig;
  trainer: ModelTrainer;
  dataset: Dataset;
  /** Rows whose reconstructions are previewed (validation rows where there are any). */
  previewRows: Int32Array;
  /** The step training starts at (0, or the checkpoint's on resume). */
  startStep: number;
  backend: string;
  datasetFingerprint: string;
  /** A fine-tuned run's first session: the weights it started from (train.init_from), recorded in provenance.jsonl. */
  initFrom?: { path: string; kind: 'model' | 'run'; weights_sha256: Record<string, string> };
  progress: Progress;
}): Tracking {
  const { runDir, loaded, trainer, dataset, progress } = input;
  const provenance = {
    ...collectProvenance({ configFile: loaded.file, backend: input.backend, datasetFingerprint: input.datasetFingerprint }),
    ...(input.initFrom ? { init_from: input.initFrom } : {}),
  };
  const provenanceFile = path.join(runDir, 'provenance.jsonl');
  try {
    fs.appendFileSync(provenanceFile, JSON.stringify({ ...provenance, start_step: input.startStep }) + '\n');
  } catch (err) {
    throw withPath(err, provenanceFile);
  }
  if (!loaded.config.output.tensorboard) return { onEpoch: () => {}, close: () => {} };

  const writer = openEventWriter(runDir, {
    resumeStep: input.startStep,
    onError: (m) => warnThrough(progress, `TensorBoard logging stopped (training goes on): ${m}`),
  });
  writer.text(input.startStep, 'config', markdownCodeBlock(serializeConfig(loaded)));
  writer.text(input.startStep, 'provenance', markdownCodeBlock(JSON.stringify(provenance, null, 2)));
  const previews = previewSource(trainer, dataset, input.previewRows, loaded.config.model.latent);
  if (previews && input.startStep === 0) previews.originals?.forEach((x, i) => writer.audio(0, `original/${i}`, x, dataset.sampleRate));
  const audioEvery = loaded.config.output.audio_every;

  return {
    onEpoch: ({ record }) => {
      const scalars: Record<string, number> = {};
      for (const [key, value] of Object.entries(record)) {
        if (typeof value !== 'number' || !Number.isFinite(value) || key === 'epoch' || key === 'step' || key === 'best_epoch') continue;
        scalars[tagOf(key)] = value;
      }
      scalars.epoch = record.epoch;
      writer.scalars(record.step, scalars);
      if (previews && audioEvery > 0 && record.epoch % audioEvery === 0) {
        previews.render().forEach((y, i) => writer.audio(record.step, `${previews.kind}/${i}`, y, dataset.sampleRate));
      }
    },
    close: () => writer.close(),
  };
}

/** `loss` → loss/train, `val_loss` → loss/val, `val_kl` → kl/val, `kl` → kl/train; others as they are. */
function tagOf(key: string): string {
  if (key.startsWith('val_')) return `${key.slice(4)}/val`;
  if (key === 'lr' || key === 'samples_per_s' || key === 'wall_s' || key === 'beta') return key;
  return `${key}/train`;
}

/**
 * What to listen to as training goes: reconstructions of a few fixed examples for models with an encoder and a
 * decoder, generations from a few fixed latent draws for generators; null for anything else.
 */
function previewSource(trainer: ModelTrainer, dataset: Dataset, rows: Int32Array, latent: number) {
  const parts = trainer.exportParts();
  const idx = rows.subarray(0, Math.min(PREVIEW_COUNT, rows.length));
  if (parts.encoder && parts.decoder && idx.length > 0) {
    const x = dataset.readRows(idx);
    const originals = Array.from(idx, (_, i) => x.slice(i * dataset.length, (i + 1) * dataset.length));
    // A conditional model reconstructs each example under its own condition (class and level).
    const withCondition = (t: tf.Tensor2D): tf.Tensor2D | tf.Tensor2D[] => {
      const condition = conditionBatch(trainer, dataset, idx);
      return condition ? [t, condition] : t;
    };
    return {
      kind: 'reconstruction',
      originals,
      render: () =>
        split(
          tf.tidy(() => parts.decoder!.predict(withCondition(parts.encoder!.predict(withCondition(tf.tensor2d(x, [idx.length, dataset.length]))) as tf.Tensor2D)) as tf.Tensor),
          idx.length,
        ),
    };
  }
  const generator = parts.generator ?? parts.decoder;
  if (!generator) return null;
  const rng = new Rng(PREVIEW_SEED);
  const z = Float32Array.from({ length: PREVIEW_COUNT * latent }, () => (trainer.prior === 'normal' ? rng.normal() : 2 * rng.next() - 1));
  return {
    kind: 'generated',
    originals: undefined,
    render: () => split(tf.tidy(() => generator.predict(tf.tensor2d(z, [PREVIEW_COUNT, latent])) as tf.Tensor), PREVIEW_COUNT),
  };
}

function split(y: tf.Tensor, n: number): Float32Array[] {
  const data = y.dataSync() as Float32Array;
  y.dispose();
  const width = data.length / n;
  return Array.from({ length: n }, (_, i) => data.slice(i * width, (i + 1) * width));
}
