import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { DONE_FILE, DoneMarker, PlanEntry, planSweep, readLock, readMarker } from '../../src/sweep';
import { hasCheckpoint } from '../../src/train/checkpoint';
import { readLog } from '../../src/train/log';
import { tempDir } from '../helpers/dataset';
import { tinyProject } from './helpers';

/**
 * examples/slurm/study-array.sh under a real Slurm: a single-node cluster (munged, slurmctld, slurmd from Debian's
 * packages) started in a temp folder by slurm-cluster.sh, the script submitted with sbatch --array from the
 * repository root as its header says (only the site-specific resources overridden on the command line: no GPU,
 * 1 CPU, little memory), over tiny grids. The fault cases are the ones a cluster brings: scancel and a resubmission,
 * the time-limit warning of --signal with a requeue, and two tasks on one entry.
 *
 * Needs root and the packages (.ci/run installs them: apt-get install -y slurmctld slurmd slurm-client munge);
 * elsewhere it is skipped with a line saying why, and fails instead where SAMPGEN_REQUIRE_SLURM=1 (.ci/run as root).
 * Runs bin/sampgen, so dist/ must be built (`npm test` builds first).
 */

const ROOT = path.join(__dirname, '..', '..');
const EXAMPLE = 'examples/slurm/study-array.sh'; // relative: sbatch runs in the repository root, as documented
const CLUSTER = path.join(__dirname, 'slurm-cluster.sh');
const BIN = path.join(ROOT, 'bin', 'sampgen');
const COMMANDS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'squeue', 'scancel', 'sinfo'];
// The daemons live in /usr/sbin, which a non-login PATH may lack.
const PATH = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'].filter(Boolean).join(':');

function whyNoSlurm(): string | null {
  if (process.platform !== 'linux') return `Slurm needs Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return 'not root (slurmd must run as root to start jobs; .ci/run runs as root)';
  const missing = COMMANDS.filter((c) => !PATH.split(':').some((d) => fs.existsSync(path.join(d, c))));
  if (missing.length > 0) {
    return `${missing.join(', ')} not installed (apt-get install -y slurmctld slurmd slurm-client munge; .ci/run does this as root)`;
  }
  return null;
}

const why = whyNoSlurm();
if (why && process.env.SAMPGEN_REQUIRE_SLURM !== '1') console.warn(`slurm end-to-end test skipped: ${why}`);
const describeSlurm = why ? describe.skip : describe;
if (why && process.env.SAMPGEN_REQUIRE_SLURM === '1') {
  test('Slurm is there (SAMPGEN_REQUIRE_SLURM=1)', () => {
    throw new Error(`SAMPGEN_REQUIRE_SLURM=1, but the Slurm end-to-end test cannot run: ${why}`);
  });
}

interface Task {
  taskId: string;
  state: string;
  exitCode: string;
  restarts: number;
}

const FINAL_STATES = new Set(['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Two free TCP ports, held open together so that they differ, then released for slurmctld and slurmd. */
async function freePorts(): Promise<[number, number]> {
  const servers = [net.createServer(), net.createServer()];
  const ports = await Promise.all(
    servers.map((s) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)))),
  );
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return [ports[0]!, ports[1]!];
}

describeSlurm('examples/slurm/study-array.sh on a real single-node Slurm', () => {
  const started = Date.now();
  let dir: string;
  let outDir: string;
  let watchdog: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let smoke: ReturnType<typeof tinyProject>;
  let faults: ReturnType<typeof tinyProject>;
  let faultEntries: PlanEntry[];
  let preemptJob: string;
  const arrays: string[] = [];
  const counts = { resubmitted: 0, racing: 0 };

  const slurm = (cmd: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    execFileSync(cmd, args, { cwd: ROOT, env: { ...env, ...extra }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30000 });

  /** Submits the example (from the repository root) over GRID; returns the array job id. */
  const sbatch = (grid: string, options: string[], scriptArgs: string[] = [], extra: NodeJS.ProcessEnv = {}) => {
    const id = slurm(
      'sbatch',
      ['--parsable', '--gres=none', '--cpus-per-task=1', '--mem=500M', `--output=${outDir}/task-%A_%a.out`, ...options, EXAMPLE, ...scriptArgs],
      { SAMPGEN_GRID: grid, ...extra },
    )
      .trim()
      .split(';')[0]!;
    arrays.push(id);
    return id;
  };

  /** The tasks of an array job as the controller has them (finished ones stay for MinJobAge). */
  const tasks = (arrayJob: string): Task[] =>
    slurm('scontrol', ['show', 'job', '-o', arrayJob])
      .split('\n')
      .filter((l) => l.includes('JobId='))
      .map((line) => {
        const field = (k: string) => new RegExp(`(?:^| )${k}=(\\S*)`).exec(line)?.[1] ?? '';
        return { taskId: field('ArrayTaskId'), state: field('JobState'), exitCode: field('ExitCode'), restarts: Number(field('Restarts')) };
      });
  const task = (arrayJob: string, index: number) => tasks(arrayJob).find((t) => t.taskId === String(index));
  const finished = (arrayJob: string, index: number) => {
    const t = task(arrayJob, index);
    return t && FINAL_STATES.has(t.state) ? t : undefined;
  };
  const output = (arrayJob: string, index: number) => {
    try {
      return fs.readFileSync(path.join(outDir, `task-${arrayJob}_${index}.out`), 'utf8');
    } catch {
      return '';
    }
  };

  const diagnostics = () => {
    const tail = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '(none)');
    let queue = '';
    try {
      queue = slurm('squeue', ['-a', '-o', '%i %T %r %S']);
    } catch (err) {
      queue = String(err);
    }
    const outs = fs.existsSync(outDir) ? fs.readdirSync(outDir).map((f) => `--- ${f}\n${tail(path.join(outDir, f))}`) : [];
    return [`squeue:\n${queue}`, `slurmctld.log:\n${tail(path.join(dir, 'log/slurmctld.log'))}`, `slurmd.log:\n${tail(path.join(dir, 'log/slurmd.log'))}`, ...outs].join('\n');
  };

  /** Polls `probe` every 250 ms until it returns something; a deadline (for a hung cluster) fails with the logs. */
  async function until<T>(what: string, probe: () => T | undefined | null | false, seconds: number): Promise<T> {
    const end = Date.now() + seconds * 1000;
    for (;;) {
      const got = probe();
      if (got) return got;
      if (Date.now() > end) throw new Error(`no ${what} after ${seconds} s\n${diagnostics()}`);
      await sleep(250);
    }
  }

  const cancelAndWait = async (arrayJob: string, index: number) => {
    slurm('scancel', [`${arrayJob}_${index}`]);
    return until(`end of cancelled task ${arrayJob}_${index}`, () => finished(arrayJob, index), 60);
  };
  const epochs = (runDir: string) => readLog(runDir).map((r) => r.epoch);
  const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const count = (text: string, needle: string) => text.split(needle).length - 1;
  /** Whether `text` has each of `parts`, each after the one before. */
  const inOrder = (text: string, parts: string[]) => {
    let at = 0;
    for (const p of parts) {
      at = text.indexOf(p, at);
      if (at < 0) return false;
      at += p.length;
    }
    return true;
  };

  beforeAll(async () => {
    dir = tempDir('sampgen-slurm-');
    outDir = path.join(dir, 'out');
    fs.mkdirSync(outDir);
    const [ctld, slurmd] = await freePorts();
    const base: NodeJS.ProcessEnv = { ...process.env, PATH: [path.dirname(process.execPath), PATH].join(':') };
    delete base.SAMPGEN_INDEX;
    delete base.SLURM_CONF;
    // The watchdog stops the cluster if this process dies or hangs past every timeout here (afterAll normally does).
    watchdog = spawn(CLUSTER, ['watch', dir, String(process.pid), '600'], { detached: true, stdio: 'ignore', env: base });
    watchdog.unref();
    execFileSync(CLUSTER, ['start', dir, String(ctld), String(slurmd)], { env: base, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000 });
    env = { ...base, SLURM_CONF: path.join(dir, 'slurm.conf') };

    // Smoke grid: 2 configs x 2 learning rates, 4 entries. Fault grid: 3 entries of an endless run (100000 epochs,
    // a checkpoint every epoch), stopped by the test, or extended to a few more epochs to finish.
    smoke = tinyProject('configs: [configs/ae-small-tanh.yaml, configs/ae-small-relu.yaml]\naxes:\n  train.lr: [0.01, 0.001]\n');
    faults = tinyProject('configs: [configs/ae-small-tanh.yaml]\naxes:\n  train.seed: [1, 2, 3]\n', { epochs: 100000 });
    faultEntries = planSweep(faults.gridFile).entries;
    // First, right after the controller started: it sends --signal's warning on its first time-limit pass, 30 s
    // after it started, to a task whose time limit (1 minute) is closer than the warning's 120 s.
    preemptJob = sbatch(faults.gridFile, ['--array=0', '--time=1']);
  }, 90000);

  afterAll(() => {
    let summary = '';
    try {
      if (env) {
        const all = arrays.flatMap((a) => tasks(a));
        const runs = all.reduce((n, t) => n + 1 + t.restarts, 0);
        const preempted = preemptJob ? (task(preemptJob, 0)?.restarts ?? 0) : 0;
        summary =
          `slurm end-to-end: ${all.length} array tasks in ${arrays.length} submissions ran ${runs} times: ` +
          `${counts.resubmitted} resubmitted after scancel, ${preempted} requeue(s) after --signal's warning, ` +
          `${counts.racing} racing for one entry; ${Math.round((Date.now() - started) / 1000)} s`;
      }
    } catch (err) {
      summary = `slurm end-to-end: could not count the tasks (${String(err)})`;
    }
    if (dir) execFileSync(CLUSTER, ['stop', dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 90000 });
    if (watchdog?.pid) {
      try {
        process.kill(watchdog.pid);
      } catch {
        /* already gone */
      }
    }
    if (summary) console.log(summary);
    for (const d of [dir, smoke?.root, faults?.root]) if (d) fs.rmSync(d, { recursive: true, force: true });
  }, 120000);

  test('a smoke array over a 4-entry grid: every task completes, every entry trains exactly once, and report lists them', async () => {
    const plan = planSweep(smoke.gridFile, { smoke: true });
    expect(plan.entries).toHaveLength(4);
    const id = sbatch(smoke.gridFile, [`--array=0-${plan.entries.length - 1}`], ['--smoke']);
    const ended = await until(
      `end of smoke array ${id}`,
      () => {
        const all = plan.entries.map((e) => finished(id, e.index));
        return all.every(Boolean) ? (all as Task[]) : undefined;
      },
      150,
    );
    expect(ended.map((t) => [t.taskId, t.state, t.exitCode])).toEqual(plan.entries.map((e) => [String(e.index), 'COMPLETED', '0:0']));
    const outs = plan.entries.map((e) => output(id, e.index));
    const all = outs.join('\n');
    plan.entries.forEach((e, i) => {
      const run = `${e.name}-${e.hash}`;
      expect(outs[i]).toContain(`: entry ${e.index} (from SLURM_ARRAY_TASK_ID)`);
      expect(outs[i]).toContain(`entry ${e.index}: training ${run}`);
      expect(outs[i]).toContain(`entry ${e.index} ${run}: completed`);
      expect(count(all, `training ${run}`)).toBe(1);
      expect(readMarker<DoneMarker>(e.runDir, DONE_FILE)).toMatchObject({ status: 'completed', config_hash: e.hash, epochs: 1 });
      expect(epochs(e.runDir)).toEqual([1]);
    });

    const reportDir = path.join(dir, 'report');
    execFileSync(process.execPath, [BIN, 'report', path.dirname(plan.entries[0]!.runDir), '--out', reportDir], { stdio: 'pipe' });
    const rows = fs.readFileSync(path.join(reportDir, 'report.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(',')[0]).sort()).toEqual(plan.entries.map((e) => `${e.name}-${e.hash}`).sort());
    rows.forEach((r) => expect(r).toContain(',completed,'));
  }, 200000);

  test('scancel of one array task mid-run, then that task resubmitted alone: it resumes from its checkpoint and finishes', async () => {
    const e = faultEntries[1]!;
    const first = sbatch(faults.gridFile, ['--array=1']);
    await until(`checkpoints of task ${first}_1`, () => epochs(e.runDir).length >= 3 && hasCheckpoint(e.runDir), 90);
    expect(await cancelAndWait(first, 1)).toMatchObject({ state: 'CANCELLED' });
    // scancel sends SIGTERM to every process of the task: sampgen finishes its batch and checkpoints.
    const out1 = output(first, 1);
    expect(out1).toContain(`entry 1 ${e.name}-${e.hash}: interrupted (SIGTERM); checkpoint kept`);
    expect(fs.existsSync(path.join(e.runDir, DONE_FILE))).toBe(false);
    const reached = epochs(e.runDir).length;
    expect(epochs(e.runDir)).toEqual(oneToN(reached));

    // train.epochs is not part of the run's hash: the resubmission extends the same run to 3 more epochs.
    const second = sbatch(faults.gridFile, ['--array=1'], ['--set', `train.epochs=${reached + 3}`]);
    counts.resubmitted++;
    const t = await until(`end of resubmitted task ${second}_1`, () => finished(second, 1), 90);
    const out2 = output(second, 1);
    expect([t.state, t.exitCode]).toEqual(['COMPLETED', '0:0']);
    expect(out2).toContain(`entry 1: resuming ${e.name}-${e.hash}`);
    expect(out2).toContain(`entry 1 ${e.name}-${e.hash}: completed (resumed)`);
    expect(epochs(e.runDir)).toEqual(oneToN(reached + 3));
    expect(readMarker<DoneMarker>(e.runDir, DONE_FILE)).toMatchObject({ status: 'completed', epochs: reached + 3 });
  }, 200000);

  test('two array tasks racing for one entry: one trains it, the other finds its run-folder lock and skips it', async () => {
    const e = faultEntries[2]!;
    // Both tasks of one array, started in one scheduling pass, pointed at entry 2 (SAMPGEN_INDEX comes first).
    const id = sbatch(faults.gridFile, ['--array=0-1'], [], { SAMPGEN_INDEX: '2' });
    counts.racing += 2;
    let holderPid = 0;
    const [skipper, trainer] = await until(
      `one task of ${id} to skip entry 2 while the other trains it`,
      () => {
        const lock = readLock(e.runDir);
        if (lock) holderPid = lock.pid;
        const done = [0, 1].filter((i) => finished(id, i));
        if (done.length !== 1) return undefined;
        const other = 1 - done[0]!;
        return epochs(e.runDir).length >= 1 && output(id, other).includes('entry 2: training') ? [done[0]!, other] : undefined;
      },
      90,
    );
    expect(task(id, skipper)).toMatchObject({ state: 'COMPLETED', exitCode: '0:0' });
    expect(await cancelAndWait(id, trainer)).toMatchObject({ state: 'CANCELLED' });
    const skipped = output(id, skipper);
    const trained = output(id, trainer);
    expect(skipped).toMatch(new RegExp(`entry 2 ${e.name}-${e.hash}: skipped, locked by ${os.hostname()} pid ${holderPid} `));
    expect(skipped).not.toContain('training');
    expect(skipped).toContain('sweep: 0 completed, 0 already done, 1 locked by other workers');
    expect(count(trained, `entry 2: training ${e.name}-${e.hash}`)).toBe(1);
    expect(trained).toContain(`entry 2 ${e.name}-${e.hash}: interrupted (SIGTERM); checkpoint kept`);
    expect(epochs(e.runDir)).toEqual(oneToN(epochs(e.runDir).length));
    expect(fs.existsSync(path.join(e.runDir, '.lock'))).toBe(false);
  }, 200000);

  test("a task warned by --signal before its time limit: sampgen checkpoints and exits 0, the task requeues itself and resumes", async () => {
    const e = faultEntries[0]!;
    const stopped = new RegExp(`entry 0 ${e.name}-${e.hash}: interrupted \\(SIGTERM\\); checkpoint kept[^]*?requeueing array task 0 \\(job ${preemptJob}\\) to resume`);
    // The warning may come while sampgen still starts (then it stops before training and the task requeues without a
    // checkpoint); the test waits for a requeue after a checkpoint and the resumed run's first epoch after it.
    let before = 0;
    await until(
      `task ${preemptJob}_0 to be warned, requeued and resumed`,
      () => {
        const out = output(preemptJob, 0);
        const m = stopped.exec(out);
        if (!m) return undefined;
        before = Number(/stopped \(SIGTERM\) (?:after|at) epoch (\d+)/.exec(out.slice(0, m.index + m[0].length))?.[1] ?? NaN);
        const rest = out.slice(m.index + m[0].length);
        return rest.includes(`entry 0: resuming ${e.name}-${e.hash}`) && epochs(e.runDir).length > before;
      },
      150,
    );
    const requeued = task(preemptJob, 0)!;
    expect(requeued.restarts).toBeGreaterThanOrEqual(1);
    expect(await cancelAndWait(preemptJob, 0)).toMatchObject({ state: 'CANCELLED' });
    const out = output(preemptJob, 0);
    // The log was appended to (--open-mode=append), so it holds the warned run and the resumed one, in this order.
    expect(
      inOrder(out, [
        `entry 0 ${e.name}-${e.hash}: interrupted (SIGTERM); checkpoint kept`,
        'sweep: 0 completed, 0 already done, 0 locked by other workers, 1 interrupted, 0 failed',
        // The script prints this only when sampgen exited 0.
        `requeueing array task 0 (job ${preemptJob}) to resume`,
        `entry 0: resuming ${e.name}-${e.hash}`,
      ]),
    ).toBe(true);
    expect(Number.isInteger(before) && before >= 1).toBe(true);
    const logged = epochs(e.runDir);
    expect(logged).toEqual(oneToN(logged.length));
    expect(logged.length).toBeGreaterThan(before);
  }, 200000);
});
