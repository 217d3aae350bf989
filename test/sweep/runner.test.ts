import * as fs from 'fs';
import * as path from 'path';
import { planSweep, runSweep, readMarker, DONE_FILE, FAILED_FILE, DoneMarker, FailedMarker, lockPath, LockOwner } from '../../src/sweep';
import { readLog } from '../../src/train/log';
import { readCheckpointState } from '../../src/train/checkpoint';
import { trainModel, TrainOptions } from '../../src/train/run';
import { newStopFlag } from '../../src/train/stop';
import { Progress, silentProgress } from '../../src/progress';
import { UserError } from '../../src/errors';
import { tinyProject } from './helpers';

const GRID = 'configs: [configs/ae-*.yaml]\naxes:\n  train.seed: [1, 2]\n';
const losses = (runDir: string) => readLog(runDir).map((r) => [r.epoch, r.step, r.loss, r.val_loss]);

function writeLock(runDir: string, heartbeatAgoSeconds: number): void {
  const t = new Date(Date.now() - heartbeatAgoSeconds * 1000).toISOString();
  const owner: LockOwner = { version: 1, host: 'node-7.cluster', pid: 99, token: 'theirs', started: t, heartbeat: t };
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(lockPath(runDir), JSON.stringify(owner));
}

describe('runSweep: results are not lost or mixed up', () => {
  test('a learning-rate axis over two configs leaves four model folders, one per run', async () => {
    const p = tinyProject('configs: [configs/ae-*.yaml]\naxes:\n  train.lr: [0.001, 0.0001]\n', { epochs: 1 });
    const plan = planSweep(p.gridFile);
    const summary = await runSweep({ plan, indices: [0, 1, 2, 3] });
    expect(summary.counts.completed).toBe(4);
    const models = summary.outcomes.map((o) => o.result!.modelDir!);
    expect(new Set(models).size).toBe(4);
    for (const o of summary.outcomes) {
      const meta = JSON.parse(fs.readFileSync(path.join(o.result!.modelDir!, 'sampgen.json'), 'utf8'));
      expect(meta.config.train.lr).toBe(plan.entries[o.index]!.loaded.config.train.lr);
      expect(meta.run.folder).toBe(path.basename(o.runDir));
    }
    // The stable names link to one run of each config.
    for (const name of ['ae-small-relu', 'ae-small-tanh']) expect(fs.readlinkSync(path.join(p.root, 'models', name))).toMatch(new RegExp(`^${name}-[0-9a-f]{8}$`));
  });

  test('an entry done on a dataset that was preprocessed again is reported, not skipped as done', async () => {
    const p = tinyProject(GRID, { epochs: 1 });
    const plan = planSweep(p.gridFile);
    await runSweep({ plan, indices: [0], export: false });
    const info = JSON.parse(fs.readFileSync(path.join(p.data, 'dataset.json'), 'utf8'));
    info.files[0].sha256 = 'f'.repeat(64); // one source file replaced
    fs.writeFileSync(path.join(p.data, 'dataset.json'), JSON.stringify(info));
    const again = await runSweep({ plan, indices: [0], export: false });
    expect(again.outcomes[0]!.status).toBe('failed');
    expect(again.outcomes[0]!.message).toMatch(/finished on dataset [0-9a-f]{16}, but .* now holds dataset [0-9a-f]{16}/);
    expect(readMarker<DoneMarker>(plan.entries[0]!.runDir, DONE_FILE)!.status).toBe('completed'); // the record of what was done stays
  });
});

describe('runSweep', () => {
  test('runs the selected entries, writes done.json, and skips them on the next run', async () => {
    const p = tinyProject(GRID);
    const plan = planSweep(p.gridFile);
    const first = await runSweep({ plan, indices: [1, 2], export: false });
    expect(first.outcomes.map((o) => [o.index, o.status])).toEqual([[1, 'completed'], [2, 'completed']]);
    const done = readMarker<DoneMarker>(plan.entries[1]!.runDir, DONE_FILE)!;
    expect(done).toEqual(expect.objectContaining({ status: 'completed', config_hash: plan.entries[1]!.hash, epochs: 2, backend: 'cpu' }));
    expect(done.final.val_loss).toBe(readLog(plan.entries[1]!.runDir).at(-1)!.val_loss);
    expect(fs.existsSync(lockPath(plan.entries[1]!.runDir))).toBe(false);
    expect(fs.existsSync(plan.entries[0]!.runDir)).toBe(false);
    const again = await runSweep({ plan, indices: [0, 1, 2, 3], export: false });
    expect(again.outcomes.map((o) => o.status)).toEqual(['completed', 'already-done', 'already-done', 'completed']);
  });

  test('a run stopped mid-way resumes when the sweep runs again, with the losses of an uninterrupted run', async () => {
    const whole = tinyProject(GRID, { epochs: 3 });
    const wholePlan = planSweep(whole.gridFile);
    await runSweep({ plan: wholePlan, indices: [0], export: false });

    const p = tinyProject(GRID, { epochs: 3 });
    const plan = planSweep(p.gridFile);
    const stop = newStopFlag();
    let updates = 0;
    const stopper: Progress = {
      ...silentProgress,
      update: () => {
        if (++updates === 4) stop.requested = true; // in epoch 2 (2 batches per epoch: 12 training rows, batch 6)
      },
    };
    const first = await runSweep({ plan, indices: [0, 1], progress: stopper, stop, export: false });
    expect(first.outcomes.map((o) => o.status)).toEqual(['interrupted']);
    expect(first.notStarted).toEqual([1]);
    const runDir = plan.entries[0]!.runDir;
    expect(readCheckpointState(runDir)!.epoch).toBe(1);
    expect(fs.existsSync(path.join(runDir, DONE_FILE))).toBe(false);
    expect(fs.existsSync(lockPath(runDir))).toBe(false);

    const second = await runSweep({ plan, indices: [0], export: false });
    expect(second.outcomes[0]).toEqual(expect.objectContaining({ status: 'completed', resumed: true }));
    expect(losses(runDir)).toEqual(losses(wholePlan.entries[0]!.runDir));
  });

  test('a live lock makes a second worker skip the entry; a stale one is taken over', async () => {
    const p = tinyProject(GRID);
    const plan = planSweep(p.gridFile);
    const [a, b] = plan.entries;
    writeLock(a!.runDir, 10);
    writeLock(b!.runDir, 3600);
    const logs: string[] = [];
    const progress: Progress = { ...silentProgress, log: (m) => logs.push(m) };
    const result = await runSweep({ plan, indices: [0, 1], export: false, progress });
    expect(result.outcomes.map((o) => o.status)).toEqual(['locked', 'completed']);
    expect(result.outcomes[0]!.message).toMatch(/locked by node-7\.cluster pid 99/);
    expect(fs.readdirSync(a!.runDir)).toEqual(['.lock']); // untouched
    expect(logs.join('\n')).toMatch(/took over the lock of .* \(node-7\.cluster pid 99\): no heartbeat for 3600 s/);
    expect(readLog(b!.runDir).map((r) => r.epoch)).toEqual([1, 2]);
  });

  test('two workers racing on one entry: one trains it, the other skips, and the run folder is whole', async () => {
    const p = tinyProject(GRID);
    const plan = planSweep(p.gridFile);
    const [x, y] = await Promise.all([runSweep({ plan, indices: [3], export: false }), runSweep({ plan, indices: [3], export: false })]);
    const statuses = [x.outcomes[0]!.status, y.outcomes[0]!.status].sort();
    expect(statuses).toEqual(['completed', 'locked']);
    const runDir = plan.entries[3]!.runDir;
    expect(readLog(runDir).map((r) => [r.epoch, r.step])).toEqual([[1, 2], [2, 4]]);
    expect(readMarker<DoneMarker>(runDir, DONE_FILE)!.steps).toBe(4);
    expect(fs.readdirSync(runDir).sort()).toEqual(['checkpoints', 'config.yaml', 'done.json', 'log.jsonl', 'provenance.jsonl', 'tb']);
  });

  test('a failing entry is recorded and the others still run; the next sweep retries it', async () => {
    const p = tinyProject(GRID);
    const plan = planSweep(p.gridFile);
    let fail = true;
    const train = (opts: TrainOptions) => {
      if (fail && opts.loaded.hash === plan.entries[1]!.hash) return Promise.reject(new UserError('dataset went missing'));
      return trainModel(opts);
    };
    const result = await runSweep({ plan, indices: [0, 1, 2], export: false, train });
    expect(result.outcomes.map((o) => o.status)).toEqual(['completed', 'failed', 'completed']);
    expect(result.counts.failed).toBe(1);
    const failed = readMarker<FailedMarker>(plan.entries[1]!.runDir, FAILED_FILE)!;
    expect(failed).toEqual(expect.objectContaining({ status: 'failed', kind: 'user', error: 'dataset went missing', attempts: 1 }));
    fail = false;
    const retry = await runSweep({ plan, indices: [1], export: false, train });
    expect(retry.outcomes[0]!.status).toBe('completed');
    expect(fs.existsSync(path.join(plan.entries[1]!.runDir, FAILED_FILE))).toBe(false);
  });
});

describe('a worker whose lock was taken over', () => {
  test('stops within the epoch and writes nothing more into the run folder', async () => {
    const p = tinyProject(GRID, { epochs: 3 });
    const plan = planSweep(p.gridFile);
    const runDir = plan.entries[0]!.runDir;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let updates = 0;
    let checkpointBefore: unknown;
    const train = (opts: TrainOptions) => {
      const inner = opts.progress!;
      return trainModel({
        ...opts,
        progress: {
          ...inner,
          update: (done, payload) => {
            inner.update(done, payload);
            if (++updates !== 4) return; // in epoch 2
            checkpointBefore = readCheckpointState(runDir);
            writeLock(runDir, 0); // another worker judged us stale and took over
            // Stay inside the training step (synchronously, like a long batch) until the heartbeat notices.
            for (let i = 0; i < 500 && !opts.lock!.lost; i++) Atomics.wait(pause, 0, 0, 20);
            expect(opts.lock!.lost).toBe(true);
          },
        },
      });
    };
    const result = await runSweep({ plan, indices: [0], export: false, train, heartbeatSeconds: 0.02 });
    expect(result.outcomes[0]).toEqual(expect.objectContaining({ status: 'interrupted', message: expect.stringMatching(/another worker took over the lock/) }));
    expect(readCheckpointState(runDir)).toEqual(checkpointBefore);
    expect(readLog(runDir).map((r) => r.epoch)).toEqual([1]);
    expect(fs.readdirSync(runDir).sort()).toEqual(['.lock', 'checkpoints', 'config.yaml', 'log.jsonl', 'provenance.jsonl', 'tb']);
    expect(JSON.parse(fs.readFileSync(lockPath(runDir), 'utf8')).token).toBe('theirs');
  });
});
