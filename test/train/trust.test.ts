/**
 * Results are never silently lost or mixed up (issue 11): one model folder per run, runs tied to their data, one
 * writer per run folder, checksummed weights, no leftovers from interrupted checkpoint writes, best-epoch export,
 * early stopping, learning-rate schedules and runs extended in their own folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { resolveConfigObject } from '../../src/config';
import { trainModel, exportRun } from '../../src/train/run';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { loadModelPart, loadModelFromDir, readModelMetadata } from '../../src/export';
import { Progress, silentProgress } from '../../src/progress';
import { newStopFlag } from '../../src/train/stop';
import { tryAcquireLock } from '../../src/sweep/lock';
import { learningRate } from '../../src/train/schedules';
import { measureCollapse } from '../../src/train/diagnostics';
import type { ModelTrainer } from '../../src/train/model-trainer';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';
import { eventFiles, readEvents } from '../helpers/tfevents';
import { runCli } from '../helpers/cli';

const LENGTH = 64;

function setup(count = 24) {
  const root = tempDir();
  const data = writeTestDataset(path.join(root, 'data'), decayingSines(count, LENGTH));
  return { root, data };
}

function config(root: string, data: string, sets: string[] = [], train: Record<string, unknown> = {}) {
  return resolveConfigObject(
    {
      name: 'tiny',
      model: { type: 'dense-ae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
      data: { path: data, validation: 0.25 },
      train: { epochs: 3, batch_size: 6, lr: 0.01, seed: 3, backend: 'cpu', checkpoint_every: 1, log_every: 1, ...train },
      output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
    },
    'test config',
    sets,
  );
}

/** Rewrites the dataset as `preprocess --force` with other source files would: other paths and content hashes. */
function replaceDataset(data: string, seed: number): void {
  fs.rmSync(data, { recursive: true, force: true });
  writeTestDataset(data, decayingSines(24, LENGTH, seed));
  const file = path.join(data, 'dataset.json');
  const info = JSON.parse(fs.readFileSync(file, 'utf8'));
  info.files.forEach((f: { path: string; sha256: string }, i: number) => {
    f.path = `other-${i}.wav`;
    f.sha256 = String(seed % 10).repeat(64);
  });
  fs.writeFileSync(file, JSON.stringify(info));
}

const logLosses = (runDir: string) => readLog(runDir).map((r) => [r.epoch, r.step, r.loss, r.val_loss]);

describe('one model folder per run', () => {
  test('two runs of one config name export to two folders; models/<name> links to the latest', async () => {
    const { root, data } = setup();
    const a = await trainModel({ loaded: config(root, data, ['train.lr=0.01'], { epochs: 1 }) });
    const b = await trainModel({ loaded: config(root, data, ['train.lr=0.001'], { epochs: 1 }) });
    expect(a.modelDir).not.toBe(b.modelDir);
    expect(path.basename(a.modelDir!)).toBe(path.basename(a.runDir));
    expect(readModelMetadata(a.modelDir!).config_hash).not.toBe(readModelMetadata(b.modelDir!).config_hash);
    expect(readModelMetadata(a.modelDir!).run!.folder).toBe(path.basename(a.runDir));
    expect(fs.readlinkSync(path.join(root, 'models', 'tiny'))).toBe(path.basename(b.modelDir!));
    // Re-exporting the first run moves the link back to it and leaves the second run's folder alone.
    const bBytes = fs.readFileSync(path.join(b.modelDir!, 'decoder', 'weights.bin'));
    await exportRun(a.runDir);
    expect(fs.readlinkSync(path.join(root, 'models', 'tiny'))).toBe(path.basename(a.modelDir!));
    expect(fs.readFileSync(path.join(b.modelDir!, 'decoder', 'weights.bin'))).toEqual(bBytes);
  });

  test('a real folder at models/<name> (an earlier export) is replaced by the link only with --force', async () => {
    const { root, data } = setup();
    const earlier = path.join(root, 'models', 'tiny');
    fs.mkdirSync(earlier, { recursive: true });
    fs.writeFileSync(path.join(earlier, 'sampgen.json'), '{"earlier": true}');
    const lines: string[] = [];
    const progress: Progress = { ...silentProgress, log: (m) => lines.push(m) };
    await trainModel({ loaded: config(root, data, [], { epochs: 1 }), progress });
    expect(fs.readFileSync(path.join(earlier, 'sampgen.json'), 'utf8')).toBe('{"earlier": true}');
    expect(lines.join('\n')).toMatch(/models\/tiny is a model folder of an earlier export, not a link: left as it is.*--force/);
    const forced = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), force: true });
    expect(fs.lstatSync(earlier).isSymbolicLink()).toBe(true);
    expect(readModelMetadata(earlier).run!.folder).toBe(path.basename(forced.runDir));
  });
});

describe('a run is tied to its dataset', () => {
  test('resuming on a dataset preprocessed again with other files is refused, naming both fingerprints', async () => {
    const { root, data } = setup();
    const first = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false });
    replaceDataset(data, 7);
    const err = await trainModel({ loaded: config(root, data, [], { epochs: 2 }), resume: true, export: false }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('UserError');
    expect(err.message).toMatch(new RegExp(`trained on dataset ${first.dataset}, but .*data now holds dataset [0-9a-f]{16}`));
    expect(err.message).not.toContain(`dataset ${first.dataset} (`); // two different fingerprints
    // Nothing of the run was touched.
    expect(readLog(first.runDir)).toHaveLength(1);
    expect(readCheckpointState(first.runDir)!.epoch).toBe(1);
  });
});

describe('one writer per run folder', () => {
  test('train refuses a run folder whose lock another live process holds, naming it', async () => {
    const { root, data } = setup();
    const loaded = config(root, data, [], { epochs: 1 });
    const first = await trainModel({ loaded, export: false });
    const held = tryAcquireLock(first.runDir, { staleAfterSeconds: 600, label: 'sweep entry 0 (tiny)' });
    if (!held.acquired) throw new Error('test could not take the lock');
    try {
      await expect(trainModel({ loaded: config(root, data, [], { epochs: 2 }), resume: true, export: false })).rejects.toThrow(
        /is being trained by another process \(sweep entry 0 \(tiny\), .* pid \d+, last heartbeat \d+ s ago\)/,
      );
      expect(readLog(first.runDir)).toHaveLength(1);
    } finally {
      await held.lock.release();
    }
    // Released: training goes on, and leaves no lock behind.
    await trainModel({ loaded: config(root, data, [], { epochs: 2 }), resume: true, export: false });
    expect(readLog(first.runDir).map((r) => r.epoch)).toEqual([1, 2]);
    expect(fs.existsSync(path.join(first.runDir, '.lock'))).toBe(false);
  });
});

describe('checksums', () => {
  test('a garbled checkpoint (same length) is refused on resume and export, naming the file', async () => {
    const { root, data } = setup();
    const first = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false });
    const file = path.join(first.runDir, 'checkpoints', 'latest', 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[100] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await expect(trainModel({ loaded: config(root, data, [], { epochs: 2 }), resume: true })).rejects.toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} do not match their recorded sha256`),
    );
    await expect(exportRun(first.runDir)).rejects.toThrow(/do not match their recorded sha256/);
    fs.writeFileSync(file, bytes.subarray(0, 50));
    await expect(exportRun(first.runDir)).rejects.toThrow(/have 50 bytes, but .*checkpoint.json describes \d+: the file is truncated/);
    fs.writeFileSync(path.join(first.runDir, 'checkpoints', 'latest', 'checkpoint.json'), '{"version": 1, "sta');
    await expect(exportRun(first.runDir)).rejects.toThrow(/checkpoint .*checkpoint.json is damaged \(not valid JSON/);
  });

  test("a garbled model part is refused on load, naming it; stock loading still reads the exports", async () => {
    const { root, data } = setup();
    const { modelDir } = await trainModel({ loaded: config(root, data, [], { epochs: 1 }) });
    const meta = readModelMetadata(modelDir!);
    expect(Object.keys(meta.files_sha256!).sort()).toEqual(['decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']);
    (await loadModelPart(modelDir!, 'decoder')).dispose();
    (await loadModelFromDir(path.join(modelDir!, 'decoder'))).dispose(); // no checksum needed to load the TF.js folder itself
    const file = path.join(modelDir!, 'decoder', 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[8] ^= 0x40;
    fs.writeFileSync(file, bytes);
    await expect(loadModelPart(modelDir!, 'decoder')).rejects.toThrow(new RegExp(`model file .*decoder/weights.bin does not match the sha256 recorded`));
    (await loadModelPart(modelDir!, 'encoder')).dispose(); // the other part is whole
  });
});

describe('interrupted checkpoint writes', () => {
  test('leftover temp and old copies are removed on the next start; a missing latest is restored from the most advanced copy', async () => {
    const { root, data } = setup();
    const first = await trainModel({ loaded: config(root, data, [], { epochs: 2 }), export: false });
    const ckpts = path.join(first.runDir, 'checkpoints');
    // What kills at the worst moments leave: a half-written temp folder, and latest moved aside twice (two swaps of
    // two processes killed in turn), with the slot itself gone.
    fs.mkdirSync(path.join(ckpts, '.tmp-latest-99999'));
    fs.writeFileSync(path.join(ckpts, '.tmp-latest-99999', 'weights.bin'), Buffer.alloc(10));
    const older = path.join(ckpts, 'latest.sampgen-old-2');
    fs.cpSync(path.join(ckpts, 'latest'), older, { recursive: true });
    const olderJson = JSON.parse(fs.readFileSync(path.join(older, 'checkpoint.json'), 'utf8'));
    olderJson.state.step -= 1; // a less advanced copy: must not be the one chosen
    fs.writeFileSync(path.join(older, 'checkpoint.json'), JSON.stringify(olderJson));
    fs.renameSync(path.join(ckpts, 'latest'), path.join(ckpts, 'latest.sampgen-old-1'));
    expect(readCheckpointState(first.runDir)!.step).toBe(readLog(first.runDir).at(-1)!.step);

    const second = await trainModel({ loaded: config(root, data, [], { epochs: 3 }), resume: true, export: false });
    expect(fs.readdirSync(ckpts).sort()).toEqual(['best', 'latest']);
    expect(readLog(second.runDir).map((r) => r.epoch)).toEqual([1, 2, 3]);
    const whole = setup();
    const straight = await trainModel({ loaded: config(whole.root, whole.data, [], { epochs: 3 }), export: false });
    expect(logLosses(second.runDir)).toEqual(logLosses(straight.runDir));
  });
});

describe('best checkpoint, early stopping, extension', () => {
  test('the export holds the best validation epoch by default, the last with train.export=last', async () => {
    const { root, data } = setup();
    // A high rate makes the validation loss wander, so the best epoch is rarely the last.
    const best = await trainModel({ loaded: config(root, data, ['train.lr=0.05'], { epochs: 8 }) });
    const log = readLog(best.runDir);
    const argmin = log.reduce((b, r) => (r.val_loss! < b.val_loss! ? r : b)).epoch;
    const meta = readModelMetadata(best.modelDir!);
    expect(meta.run).toMatchObject({ weights: 'best', epoch: argmin });
    expect(meta.losses.val_loss).toBe(log[argmin - 1]!.val_loss);
    expect(best.best).toEqual({ epoch: argmin, val_loss: log[argmin - 1]!.val_loss });

    const bestBytes = fs.readFileSync(path.join(best.modelDir!, 'decoder', 'weights.bin'));
    // export <run> also takes the best weights (from checkpoints/best).
    await exportRun(best.runDir);
    expect(fs.readFileSync(path.join(best.modelDir!, 'decoder', 'weights.bin'))).toEqual(bestBytes);
    // train.export is not part of the run's identity: the same run, exported again from its last weights.
    const last = await trainModel({ loaded: config(root, data, ['train.lr=0.05', 'train.export=last'], { epochs: 8 }), resume: true });
    expect(last.modelDir).toBe(best.modelDir);
    expect(readModelMetadata(last.modelDir!).run).toMatchObject({ weights: 'last', epoch: 8 });
    // The two exports differ exactly when the best epoch is not the last.
    const same = fs.readFileSync(path.join(last.modelDir!, 'decoder', 'weights.bin')).equals(bestBytes);
    expect(same).toBe(argmin === 8);
    expect(argmin).toBeLessThan(8); // else this test would not tell best from last
  });

  test('early stopping ends the run after `patience` epochs without improvement, and a resume does not continue it', async () => {
    const { root, data } = setup();
    const loaded = config(root, data, [], { epochs: 10, early_stop: { patience: 2, min_delta: 10 } });
    const result = await trainModel({ loaded, export: false });
    // min_delta 10 is never met: epoch 1 is the reference, epoch 3 is two epochs without improvement.
    expect(result.stoppedEarly).toBe(3);
    expect(result.status).toBe('completed');
    expect(readLog(result.runDir)).toHaveLength(3);
    const again = await trainModel({ loaded, resume: true, export: false });
    expect(again.epochs).toBe(3);
    expect(readLog(result.runDir)).toHaveLength(3);
  });

  test('a finished run is extended in its own folder (train.epochs is not part of its identity), equal to a longer run', async () => {
    const a = setup();
    const short = await trainModel({ loaded: config(a.root, a.data, [], { epochs: 2 }), export: false });
    const extended = await trainModel({ loaded: config(a.root, a.data, [], { epochs: 4 }), resume: true, export: false });
    expect(extended.runDir).toBe(short.runDir);
    const b = setup();
    const straight = await trainModel({ loaded: config(b.root, b.data, [], { epochs: 4 }), export: false });
    expect(logLosses(extended.runDir)).toEqual(logLosses(straight.runDir));
  });
});

describe('learning-rate schedules', () => {
  const spec = { lr: 0.01, schedule: 'constant' as const, warmupEpochs: 0, stepEvery: 10, stepGamma: 0.5, minLr: 0.001, epochs: 100 };
  test('closed forms: constant, step, cosine, warm-up', () => {
    expect(learningRate(37.5, spec)).toBe(0.01);
    expect(learningRate(9.99, { ...spec, schedule: 'step' })).toBeCloseTo(0.01, 12);
    expect(learningRate(10, { ...spec, schedule: 'step' })).toBeCloseTo(0.005, 12);
    expect(learningRate(25, { ...spec, schedule: 'step' })).toBeCloseTo(0.0025, 12);
    const cos = { ...spec, schedule: 'cosine' as const };
    expect(learningRate(0, cos)).toBeCloseTo(0.01, 12);
    expect(learningRate(50, cos)).toBeCloseTo((0.01 + 0.001) / 2, 12);
    expect(learningRate(100, cos)).toBeCloseTo(0.001, 12);
    expect(learningRate(25, cos)).toBeCloseTo(0.001 + 0.009 * (1 + Math.SQRT1_2) / 2, 12);
    expect(learningRate(0.5, { ...spec, warmupEpochs: 2 })).toBeCloseTo(0.0025, 12);
    expect(learningRate(2, { ...spec, warmupEpochs: 2 })).toBe(0.01);
  });

  test('the log records the rate of each epoch, and a run stopped mid-epoch resumes the schedule exactly', async () => {
    const sets = ['train.lr_schedule=step', 'train.lr_step_every=2', 'train.lr_step_gamma=0.1', 'train.lr_warmup_epochs=0.5'];
    const whole = setup();
    const full = await trainModel({ loaded: config(whole.root, whole.data, sets, { epochs: 5 }), export: false });
    // 3 steps an epoch; the log has the rate of each epoch's last step (positions 2/3, 5/3, 8/3, 11/3, 14/3 epochs).
    expect(readLog(full.runDir).map((r) => r.lr)).toEqual([0.01, 0.01, 0.001, 0.001, 0.0001].map((x) => expect.closeTo(x, 12)));
    const parts = setup();
    const stop = newStopFlag();
    const stopper: Progress = { ...silentProgress, update: (steps) => void (steps === 7 && (stop.requested = true)) };
    const first = await trainModel({ loaded: config(parts.root, parts.data, sets, { epochs: 5 }), progress: stopper, stop, export: false });
    expect(first.status).toBe('interrupted');
    const second = await trainModel({ loaded: config(parts.root, parts.data, sets, { epochs: 5 }), resume: true, export: false });
    expect(logLosses(second.runDir)).toEqual(logLosses(full.runDir));
  });
});

describe('warnings', () => {
  test('a KL ramp longer than the whole run is said once, with the fraction of β reached', async () => {
    const { root, data } = setup();
    const warnings: string[] = [];
    const progress: Progress = { ...silentProgress, warn: (m) => warnings.push(m) };
    const vae = resolveConfigObject(
      {
        name: 'v',
        model: { type: 'vae', size: 'small', activation: 'tanh', latent: 2, length: LENGTH },
        data: { path: data, validation: 0.25 },
        train: { epochs: 2, batch_size: 6, seed: 3, backend: 'cpu' },
        vae: { kl_ramp_steps: 600 },
        output: { runs: path.join(root, 'runs'), models: path.join(root, 'models') },
      },
      'vae',
    );
    await trainModel({ loaded: vae, progress, export: false });
    // 18 training rows in batches of 6: 3 steps an epoch, 6 in all; β reaches 6/600 = 1% of its target.
    expect(warnings).toEqual([expect.stringMatching(/vae.kl_ramp_steps \(600\) is longer than the whole run \(6 steps\): β reaches only 1\.0% of vae.kl_factor/)]);
  });

  test('measureCollapse: near 0 for a decoder that ignores its input, near 1 for one that passes it on', () => {
    const x = tf.tensor2d(decayingSines(8, LENGTH).flatMap((r) => Array.from(r)), [8, LENGTH]);
    const encoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [LENGTH], units: LENGTH, useBias: false, kernelInitializer: 'identity' })] });
    const collapsed = tf.sequential({ layers: [tf.layers.dense({ inputShape: [LENGTH], units: LENGTH, kernelInitializer: 'zeros', biasInitializer: 'ones' })] });
    const passing = tf.sequential({ layers: [tf.layers.dense({ inputShape: [LENGTH], units: LENGTH, useBias: false, kernelInitializer: 'identity' })] });
    const trainerWith = (decoder: tf.LayersModel) => ({ exportParts: () => ({ encoder, decoder }) }) as unknown as ModelTrainer;
    expect(measureCollapse(trainerWith(collapsed), x)!.ratio).toBe(0);
    expect(measureCollapse(trainerWith(passing), x)!.ratio).toBeCloseTo(1, 5);
    expect(measureCollapse({ exportParts: () => ({ generator: passing }) } as unknown as ModelTrainer, x)).toBeNull();
    tf.dispose([x]);
  });
});

describe('experiment tracking', () => {
  test('TensorBoard events (scalars per epoch, audio previews, the config) and a provenance line per session', async () => {
    const { root, data } = setup();
    const first = await trainModel({ loaded: config(root, data, ['output.audio_every=2'], { epochs: 2 }), export: false });
    const [file] = eventFiles(first.runDir);
    const events = readEvents(file!); // checks both CRCs of every record
    const values = events.flatMap((e) => (e.summary?.value ?? []).map((v) => ({ step: e.step, ...v })));
    const scalar = (tag: string) => values.filter((v) => v.tag === tag).map((v) => [v.step, v.simple_value]);
    const log = readLog(first.runDir);
    expect(scalar('loss/train')).toEqual(log.map((r) => [r.step, Math.fround(r.loss)]));
    expect(scalar('loss/val')).toEqual(log.map((r) => [r.step, Math.fround(r.val_loss!)]));
    expect(scalar('lr')).toEqual(log.map((r) => [r.step, Math.fround(0.01)]));
    expect(values.filter((v) => v.audio).map((v) => [v.tag, v.step])).toEqual([
      ['original/0', 0],
      ['original/1', 0],
      ['reconstruction/0', log[1]!.step],
      ['reconstruction/1', log[1]!.step],
    ]);
    expect(values.find((v) => v.tag === 'config')!.tensor!.string_val[0]!.toString()).toContain('activation: tanh');
    const provenance = fs.readFileSync(path.join(first.runDir, 'provenance.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(provenance).toEqual([expect.objectContaining({ dataset_fingerprint: first.dataset, start_step: 0, sampgen_version: expect.any(String), host: expect.any(String) })]);

    const second = await trainModel({ loaded: config(root, data, ['output.audio_every=2'], { epochs: 3 }), resume: true, export: false });
    expect(eventFiles(second.runDir)).toHaveLength(2);
    const resumed = readEvents(eventFiles(second.runDir)[1]!);
    expect(resumed.find((e) => e.session_log)).toMatchObject({ step: log[1]!.step, session_log: { status: 'START' } });
    expect(fs.readFileSync(path.join(first.runDir, 'provenance.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('progress of a whole run', () => {
  test('without a terminal: the first and last epoch and one line every N epochs, each with the whole run\'s ETA', async () => {
    const { root, data } = setup();
    const lines: string[] = [];
    const progress: Progress = { ...silentProgress, log: (m) => lines.push(m) };
    await trainModel({ loaded: config(root, data, [], { epochs: 60, checkpoint_every: 30 }), progress, export: false });
    const epochLines = lines.filter((l) => l.startsWith('epoch '));
    // 60 epochs: a line every 2 (the 1-2-5 step at or above 60/50), plus the first.
    expect(epochLines.map((l) => Number(/^epoch (\d+)\//.exec(l)![1]))).toEqual([1, ...Array.from({ length: 30 }, (_, i) => 2 * (i + 1))]);
    expect(epochLines.every((l) => /, eta (\d+h\d\dm|\d+m\d\ds|\d+s)$/.test(l))).toBe(true);
  });

  test('on a terminal: one live line over the whole run, its fields filled in (no literal {placeholders})', async () => {
    const { root, data } = setup();
    let written = '';
    const stream = Object.assign(new (require('stream').Writable)({ write: (c: Buffer, _e: string, cb: () => void) => ((written += c.toString()), cb()) }), {
      isTTY: true,
      columns: 200,
      cursorTo: (_x: number, _y?: number, cb?: () => void) => (cb?.(), true),
      clearLine: (_d: number, cb?: () => void) => (cb?.(), true),
      moveCursor: (_x: number, _y: number, cb?: () => void) => (cb?.(), true),
    });
    const { barProgress } = await import('../../src/progress');
    await trainModel({ loaded: config(root, data, [], { epochs: 6 }), progress: barProgress(stream as never), export: false });
    expect(written).toMatch(/train \[.*\] 18\/18 100% eta \S+ epoch 6\/6 loss \S+ val \S+ speed [\d.]+ samples\/s/);
    expect(written).not.toMatch(/\{[a-z_/]+\}/);
    // Epoch lines are not printed one by one on a terminal: only the last epoch's summary.
    expect(written.match(/epoch \d+\/6: loss/g)).toEqual(['epoch 6/6: loss']);
  });
});

describe('checksums through the CLI', () => {
  test('generate and encode with a damaged decoder or encoder: exit 2 naming the file, no NaN points', async () => {
    const { root, data } = setup();
    const { modelDir } = await trainModel({ loaded: config(root, data, [], { epochs: 1 }) });
    const run = (args: string[]) => runCli(['--quiet', ...args]);
    const wav = path.join(data, 'hit-0.wav');
    const { encodeWav } = await import('../../src/audio');
    fs.writeFileSync(wav, encodeWav([decayingSines(1, LENGTH)[0]!], 8000, 'float32'));
    expect((await run(['encode', '--model', modelDir!, wav])).code).toBe(0);
    const damage = (part: string) => {
      const file = path.join(modelDir!, part, 'weights.bin');
      const bytes = fs.readFileSync(file);
      bytes[4] ^= 0x7f;
      fs.writeFileSync(file, bytes);
    };
    damage('encoder');
    const encoded = await run(['encode', '--model', modelDir!, wav]);
    expect(encoded.code).toBe(2);
    expect(encoded.err).toMatch(/encoder\/weights.bin does not match the sha256/);
    expect(encoded.out).not.toMatch(/NaN/);
    damage('decoder');
    const generated = await run(['generate', '--model', modelDir!, '--z', '0,0', '--out', path.join(root, 'x.wav')]);
    expect(generated.code).toBe(2);
    expect(generated.err).toMatch(/decoder\/weights.bin does not match the sha256/);
  });
});

describe('output folders are checked before training', () => {
  test('output.models with a file in the way is exit 2 naming it, before any epoch; a damaged checkpoint.json is named by plain train', async () => {
    const { root, data } = setup();
    fs.writeFileSync(path.join(root, 'a-file'), 'x');
    const bad = config(root, data, [`output.models=${JSON.stringify(path.join(root, 'a-file', 'models'))}`], { epochs: 1 });
    await expect(trainModel({ loaded: bad })).rejects.toThrow(/output.models .*a-file.*: a file is in the way/);
    expect(fs.existsSync(path.join(root, 'runs'))).toBe(false);

    const first = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false });
    fs.writeFileSync(path.join(first.runDir, 'checkpoints', 'latest', 'checkpoint.json'), '{"state": {');
    await expect(trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false })).rejects.toThrow(/checkpoint .*checkpoint.json is damaged \(not valid JSON.*--force/);
    const forced = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), export: false, force: true });
    expect(readLog(forced.runDir)).toHaveLength(1);
  });
});

describe('stopping', () => {
  test('once the stop checkpoint is on disk the stop flag says so (a second signal then exits 0, see stop.ts)', async () => {
    const { root, data } = setup();
    const stop = newStopFlag();
    let savedWhenRequested: boolean | undefined;
    const progress: Progress = {
      ...silentProgress,
      update: (steps) => {
        if (steps === 4) {
          stop.requested = true;
          savedWhenRequested = stop.saved;
        }
      },
    };
    const result = await trainModel({ loaded: config(root, data, [], { epochs: 5 }), progress, stop, export: false });
    expect(result.status).toBe('interrupted');
    expect(savedWhenRequested).toBeFalsy();
    expect(stop.saved).toBe(true);
    expect(readCheckpointState(result.runDir)!.step).toBe(4);
  });
});

describe('a model folder is not replaced by a run on other data', () => {
  test('the run folder moved away and the config trained again on a new dataset: refused before training, unless --force', async () => {
    const { root, data } = setup();
    const first = await trainModel({ loaded: config(root, data, [], { epochs: 1 }) });
    const firstBytes = fs.readFileSync(path.join(first.modelDir!, 'decoder', 'weights.bin'));
    replaceDataset(data, 5);
    fs.renameSync(first.runDir, `${first.runDir}.moved`);
    const err = await trainModel({ loaded: config(root, data, [], { epochs: 1 }) }).catch((e) => e);
    expect(err.name).toBe('UserError');
    expect(err.message).toMatch(new RegExp(`holds a model of this config trained on dataset ${first.dataset}, but this run trains on dataset [0-9a-f]{16}.*--force`));
    expect(fs.existsSync(first.runDir)).toBe(false); // refused before anything was trained
    expect(fs.readFileSync(path.join(first.modelDir!, 'decoder', 'weights.bin'))).toEqual(firstBytes);
    const forced = await trainModel({ loaded: config(root, data, [], { epochs: 1 }), force: true });
    expect(readModelMetadata(forced.modelDir!).run!.dataset_fingerprint).toBe(forced.dataset);
  });
});

describe('evaluate on the dataset a model trained on', () => {
  test('--split val on another dataset is refused (the run\'s seed would pick rows it may have trained on); --split all is not', async () => {
    const { evaluateModel } = await import('../../src/infer/evaluate');
    const { openModel, disposeModel } = await import('../../src/infer/model');
    const { openDataset } = await import('../../src/data');
    const { root, data } = setup();
    const { modelDir } = await trainModel({ loaded: config(root, data, [], { epochs: 1 }) });
    const other = path.join(root, 'other');
    fs.cpSync(data, other, { recursive: true });
    replaceDataset(other, 3);
    const model = await openModel(modelDir!, { encoder: true });
    const dataset = openDataset(other);
    try {
      const base = { model, dataset, datasetPath: other, maxSamples: 8, generated: 4, grid: 2, seed: 1, resamples: 0 };
      expect(() => evaluateModel({ ...base, split: 'validation' })).toThrow(/was trained on dataset [0-9a-f]{16}, but .*other is dataset [0-9a-f]{16}: its validation split would pick rows/);
      expect(evaluateModel({ ...base, split: 'all' }).count).toBe(8);
    } finally {
      dataset.close();
      disposeModel(model);
    }
  });
});

describe('a damaged best-epoch copy', () => {
  test('says to remove the copy (the latest checkpoint is intact), not to start the run over; removed, the run goes on', async () => {
    const { root, data } = setup();
    const first = await trainModel({ loaded: config(root, data, [], { epochs: 2 }), export: false });
    const bestDir = path.join(first.runDir, 'checkpoints', 'best');
    const file = path.join(bestDir, 'weights.bin');
    const bytes = fs.readFileSync(file);
    bytes[0] ^= 0x01;
    fs.writeFileSync(file, bytes);
    await expect(trainModel({ loaded: config(root, data, [], { epochs: 3 }), resume: true, export: false })).rejects.toThrow(
      new RegExp(`remove ${bestDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to go on with the run's latest checkpoint`),
    );
    fs.rmSync(bestDir, { recursive: true });
    const again = await trainModel({ loaded: config(root, data, [], { epochs: 3 }), resume: true, export: false });
    expect(again.epochs).toBe(3);
  });
});

describe('exports made before checksums', () => {
  test('NaN weights in a folder without files_sha256: encode and generate exit 2 naming the model, no NaN printed', async () => {
    const { root, data } = setup();
    const { modelDir } = await trainModel({ loaded: config(root, data, [], { epochs: 1 }) });
    const metaFile = path.join(modelDir!, 'sampgen.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    delete meta.files_sha256; // as an earlier sampgen wrote it
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    for (const part of ['encoder', 'decoder']) {
      const file = path.join(modelDir!, part, 'weights.bin');
      const weights = new Float32Array(new Uint8Array(fs.readFileSync(file)).buffer);
      weights.fill(NaN);
      fs.writeFileSync(file, Buffer.from(weights.buffer));
    }
    const { encodeWav } = await import('../../src/audio');
    const wav = path.join(root, 'hit.wav');
    fs.writeFileSync(wav, encodeWav([decayingSines(1, LENGTH)[0]!], 8000, 'float32'));
    const encoded = await runCli(['--quiet', 'encode', '--model', modelDir!, wav]);
    expect(encoded.code).toBe(2);
    expect(encoded.out).not.toMatch(/NaN/);
    expect(encoded.err).toMatch(/its encoder produced NaN or infinite values .*exported before sampgen recorded checksums/);
    const generated = await runCli(['--quiet', 'generate', '--model', modelDir!, '--z', '0,0', '--out', path.join(root, 'x.wav')]);
    expect(generated.code).toBe(2);
    expect(generated.err).toMatch(/its decoder produced NaN or infinite values for point \(0, 0\)/);
    expect(fs.existsSync(path.join(root, 'x.wav'))).toBe(false);
  });
});
