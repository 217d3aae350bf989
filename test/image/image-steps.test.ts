import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { planSweep } from '../../src/sweep';
import { hasCheckpoint } from '../../src/train/checkpoint';
import { decayingSines, tempDir, writeTestDataset } from '../helpers/dataset';

/**
 * The container images without a docker daemon: the Dockerfile is read instruction by instruction, its build
 * context made as `docker build` makes it (the repository minus .dockerignore), its COPYs applied to a folder standing
 * for the image, and its RUN steps (scripts/image-steps.sh) run there, so that the image cannot rot unseen.
 *
 * Two stages are not re-run, for time: `deps` (npm ci and the native kernels' build, two minutes on two cores) and
 * `build` (tsc). They are the commands CI has just run on this checkout (.ci/run: npm ci, npm test's build); the test
 * checks that their inputs are in the image at that point and takes their outputs (node_modules, native/build, dist)
 * from the checkout. `audit`, `prune` and `check` run for real, with --tf none: CI cannot download libtensorflow.
 * Then the Kubernetes example's container runs in that image as the pod would: the manifest's args after the image's
 * entrypoint, in its workingDir (a folder standing for the volume), with JOB_COMPLETION_INDEX, as PID 1 of a PID
 * namespace where the test is root, and is stopped with SIGTERM as a deleted or preempted pod is.
 */

const ROOT = path.join(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  from: string;
  name: string | null;
  steps: Instruction[];
}

/** The instructions of a Dockerfile (continuation lines joined, comments dropped), grouped by FROM. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith('\\')) line = line.slice(0, -1) + ' ' + (lines[++i] ?? '').replace(/^\s*#.*$/, '');
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot read ${JSON.stringify(line)}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`Dockerfile line ${start + 1}: FROM ${args}`);
      stages.push({ from: f[1]!, name: f[2] ?? null, steps: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile line ${start + 1}: ${op} before FROM`);
      stages[stages.length - 1]!.steps.push({ op, args, line: start + 1 });
    }
  }
  return stages;
}

/**
 * .dockerignore as Docker reads it, for the patterns this repository uses: each pattern is anchored at the context's
 * root, `*` and `?` match within a path segment, `**` any number of segments, and a pattern that matches a folder
 * leaves out everything in it. Written here rather than taken from a library because the test must also refuse
 * what it does not interpret (exceptions with `!`, character classes): a pattern read wrongly would make the test
 * build another context than docker.
 */
function dockerignore(text: string): (rel: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((p) => {
      if (/[![\]\\]/.test(p)) throw new Error(`.dockerignore pattern ${p}: syntax this test does not interpret`);
      return p.replace(/^\/+|\/+$/g, '').split('/');
    });
  const segment = (pat: string, name: string) =>
    new RegExp(`^${pat.replace(/[.+^${}()|]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`).test(name);
  const match = (pat: string[], parts: string[]): boolean => {
    if (pat.length === 0) return parts.length === 0;
    if (pat[0] === '**') return Array.from({ length: parts.length + 1 }, (_, k) => k).some((k) => match(pat.slice(1), parts.slice(k)));
    return parts.length > 0 && segment(pat[0]!, parts[0]!) && match(pat.slice(1), parts.slice(1));
  };
  return (rel) => {
    const parts = rel.split('/');
    return patterns.some((p) => parts.some((_, n) => match(p, parts.slice(0, n + 1))));
  };
}

/** The build context: every file under the repository that .dockerignore does not leave out (relative paths). */
function buildContext(ignored: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (ignored(r)) continue;
      if (d.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  walk('');
  return out;
}

/** `docker build`'s COPY from the context: sources (files or folders, relative to the context) into dest under root. */
function copyFromContext(context: string[], srcs: string[], dest: string, rootfs: string, workdir: string) {
  const target = path.join(rootfs, path.posix.resolve(workdir, dest));
  for (const src of srcs) {
    const s = src.replace(/^\.\/?/, '').replace(/\/+$/, '');
    const files = s === '' ? context : context.filter((f) => f === s || f.startsWith(`${s}/`));
    if (files.length === 0) throw new Error(`COPY ${src}: nothing in the build context (missing, or left out by .dockerignore)`);
    for (const f of files) {
      // A single file into a folder (dest ends with /) keeps its name; a folder's content goes into dest.
      const rel = f === s ? (dest.endsWith('/') || srcs.length > 1 ? path.basename(f) : '') : f.slice(s === '' ? 0 : s.length + 1);
      const to = rel ? path.join(target, rel) : target;
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), to);
      fs.chmodSync(to, fs.statSync(path.join(ROOT, f)).mode);
    }
  }
}

/** The stages and --tf of `RUN [cd DIR &&] scripts/image-steps.sh [--tf T] STAGE...`; anything else is an error. */
function imageSteps(run: Instruction): { dir: string | null; tf: string; stages: string[] } {
  const m = /^(?:cd (\S+) && )?scripts\/image-steps\.sh((?: [-\w]+)+)$/.exec(run.args);
  if (!m) throw new Error(`Dockerfile line ${run.line}: RUN ${run.args}: every RUN is to be scripts/image-steps.sh (CI runs its steps)`);
  const words = m[2]!.trim().split(/\s+/);
  const at = words.indexOf('--tf');
  const tf = at >= 0 ? words.splice(at, 2)[1]! : 'cpu';
  return { dir: m[1] ?? null, tf, stages: words };
}

const ignored = dockerignore(read('.dockerignore'));
const sha = (f: string) => (fs.existsSync(f) ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : 'absent');

describe('the Dockerfiles', () => {
  test.each(['Dockerfile', 'Dockerfile.gpu'])('%s: a build stage on Node 20 and a runtime stage, every RUN an image-steps.sh stage, sampgen the entrypoint', (file) => {
    const stages = parseDockerfile(read(file));
    expect(stages).toHaveLength(2);
    const [build, runtime] = stages as [Stage, Stage];
    expect(build.from).toMatch(/^node:20-(bookworm|bullseye)$/);
    expect(build.name).toBe('build');
    const runs = stages.flatMap((s) => s.steps.filter((i) => i.op === 'RUN').map(imageSteps));
    expect(runs.flatMap((r) => r.stages)).toEqual(['deps', 'build', 'prune', 'fonts', 'check']);
    expect(new Set(runs.map((r) => r.tf))).toEqual(new Set([file === 'Dockerfile' ? 'cpu' : 'gpu']));
    const copyFrom = runtime.steps.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copyFrom).toContain('--from=build /opt/sampgen /opt/sampgen');
    const entry = runtime.steps.find((i) => i.op === 'ENTRYPOINT')!;
    expect(JSON.parse(entry.args)).toEqual(['node', '/opt/sampgen/bin/sampgen']);
    expect(runtime.steps.find((i) => i.op === 'WORKDIR')?.args).toBe('/work');
    if (file === 'Dockerfile.gpu') expect(runtime.from).toBe('nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    else expect(runtime.from).toBe('node:20-bookworm-slim');
  });

  test('.dockerignore leaves out what the image builds for itself, and keeps what it builds from', () => {
    for (const out of ['node_modules', 'node_modules/x/package.json', 'native/node_modules', 'dist/cli/main.js', 'native/build/Release/sampgen_native.node', 'runs/a/log.jsonl', '.git/HEAD']) {
      expect([out, ignored(out)]).toEqual([out, true]);
    }
    for (const kept of ['package.json', 'package-lock.json', 'src/cli/main.ts', 'native/src/addon.cc', 'native/binding.gyp', 'scripts/image-steps.sh', 'configs/base.yaml', 'examples/grids/study.yaml', 'bin/sampgen']) {
      expect([kept, ignored(kept)]).toEqual([kept, false]);
    }
  });
});

// What the checkout must hold for the outputs of `deps` and `build` to be taken from it.
const missing = [
  ['dist/cli/main.js', 'npm run build'],
  ['native/build/Release/sampgen_native.node', 'npm ci with g++ and make'],
  ['node_modules/.package-lock.json', 'npm ci'],
].filter(([f]) => !fs.existsSync(path.join(ROOT, f!)));
const why = process.platform !== 'linux' ? `not Linux (${process.platform})` : missing.length ? `this checkout has no ${missing.map(([f, how]) => `${f} (${how})`).join(', ')}` : null;
if (why && process.env.SAMPGEN_REQUIRE_NATIVE !== '1') console.warn(`image steps test skipped: ${why}`);
if (why && process.env.SAMPGEN_REQUIRE_NATIVE === '1') {
  test('the image steps can run here (SAMPGEN_REQUIRE_NATIVE=1)', () => {
    throw new Error(`the image steps test cannot run: ${why}`);
  });
}

(why ? describe.skip : describe)('the CPU image built by its own steps, without docker', () => {
  let rootfs: string;
  let app: string;
  let entrypoint: string[];
  const lockBefore = sha(path.join(ROOT, 'node_modules', '.package-lock.json'));

  /** Runs image-steps.sh; its stdout and stderr together (sampgen logs to stderr), or an error with both. */
  const steps = (dir: string, args: string[]) => {
    const r = spawnSync(path.join(dir, 'scripts', 'image-steps.sh'), args, {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
      timeout: 240000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status !== 0) throw new Error(`image-steps.sh ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error}):\n${out}`);
    return out;
  };

  beforeAll(() => {
    // Outside the repository: node resolves packages in every parent folder's node_modules, so an image folder inside
    // the checkout would find the checkout's packages (the ones prune removed, say) and prove nothing.
    rootfs = tempDir('sampgen-image-');
    let up = rootfs;
    while (up !== path.dirname(up)) {
      up = path.dirname(up);
      if (fs.existsSync(path.join(up, 'node_modules'))) throw new Error(`${up}/node_modules would be found by the image's node`);
    }
  });
  afterAll(() => {
    if (rootfs) fs.rmSync(rootfs, { recursive: true, force: true });
    // The checkout's node_modules was hard-linked into the image: prune must not have written through a link.
    expect(sha(path.join(ROOT, 'node_modules', '.package-lock.json'))).toBe(lockBefore);
  });

  test('Dockerfile: COPY, then audit, deps and build (their outputs from this checkout), prune and check run for real', () => {
    const stages = parseDockerfile(read('Dockerfile'));
    const context = buildContext(ignored);
    for (const out of ['node_modules', 'dist', 'native/build']) expect(context.some((f) => f.startsWith(`${out}/`))).toBe(false);
    let workdir = '/';
    const ran: string[] = [];
    for (const stage of stages) {
      for (const step of stage.steps) {
        if (step.op === 'WORKDIR') {
          workdir = path.posix.resolve(workdir, step.args);
          fs.mkdirSync(path.join(rootfs, workdir), { recursive: true });
        } else if (step.op === 'COPY') {
          const words = step.args.split(/\s+/);
          if (words[0]!.startsWith('--from=')) continue; // the runtime stage takes /opt/sampgen as built: the same folder here
          copyFromContext(context, words.slice(0, -1), words[words.length - 1]!, rootfs, workdir);
        } else if (step.op === 'RUN') {
          const run = imageSteps(step);
          const dir = path.join(rootfs, run.dir ?? workdir);
          for (const s of run.stages) {
            if (s === 'deps') {
              // deps reads these; its outputs are this checkout's, made by the same lockfile and build script.
              for (const f of ['package.json', 'package-lock.json', 'scripts/build-native.js', 'native/binding.gyp', 'native/src/addon.cc']) {
                expect([f, fs.existsSync(path.join(dir, f))]).toEqual([f, true]);
              }
              ran.push(steps(dir, ['audit']));
              // Hard links where the checkout and the temp folder share a file system (fast), else a copy.
              try {
                execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')], { stdio: 'pipe' });
              } catch {
                fs.rmSync(path.join(dir, 'node_modules'), { recursive: true, force: true });
                execFileSync('cp', ['-a', path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules')]);
              }
              // npm rewrites this file in place: a copy of its own, not a link to the checkout's.
              const hidden = path.join(dir, 'node_modules', '.package-lock.json');
              fs.rmSync(hidden);
              fs.copyFileSync(path.join(ROOT, 'node_modules', '.package-lock.json'), hidden);
              fs.cpSync(path.join(ROOT, 'native', 'build'), path.join(dir, 'native', 'build'), { recursive: true });
            } else if (s === 'build') {
              for (const f of ['tsconfig.json', 'src/cli/main.ts', 'scripts/build-page.js', 'bin/sampgen', 'src/audition/page']) {
                expect([f, fs.existsSync(path.join(dir, f))]).toEqual([f, true]);
              }
              fs.cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
            } else {
              ran.push(steps(dir, ['--tf', 'none', s]));
            }
          }
        } else if (step.op === 'ENTRYPOINT') {
          entrypoint = (JSON.parse(step.args) as string[]).map((a) => (a.startsWith('/') ? path.join(rootfs, a) : a));
        } else if (!['CMD', 'ENV', 'ARG', 'LABEL'].includes(step.op)) {
          throw new Error(`Dockerfile line ${step.line}: ${step.op} is not interpreted by this test`);
        }
      }
    }
    app = path.join(rootfs, 'opt', 'sampgen');
    const log = ran.join('\n');
    expect(log).toContain("audit: every dependency's install script is accounted for");
    expect(log).toMatch(/prune: \S+ of node_modules left/);
    // Dev dependencies are gone and sampgen still runs: the check trained the study's entry 6 as a smoke run.
    expect(fs.existsSync(path.join(app, 'node_modules', 'typescript'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules', '@tensorflow', 'tfjs-node-gpu'))).toBe(false);
    expect(log).toMatch(/check: .*wasm ok.*native kernels: /);
    expect(log).toMatch(/entry 6 ae-small-relu-\w+: completed/);
    expect(log).toContain('image-steps: check: ok');
  }, 300000);

  test('the Kubernetes Job runs in that image as its pod would, and a SIGTERM to it (PID 1) checkpoints and exits 75, which the Job\'s podFailurePolicy retries without counting', async () => {
    expect(app).toBeDefined();
    const job = parse(read('examples/kubernetes/study-indexed-job.yaml'));
    const pod = job.spec.template.spec;
    const container = pod.containers[0];
    expect(container.command).toBeUndefined(); // the image's entrypoint runs
    expect(container.image).toBe(`sampgen:${JSON.parse(read('package.json')).version}`);
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === container.workingDir);
    expect(pod.volumes.map((v: { name: string }) => v.name)).toContain(mount.name);

    // The volume: the dataset the study's configs name (data.path datasets/snares, relative to workingDir), small.
    const volume = path.join(rootfs, 'volume');
    writeTestDataset(path.join(volume, 'datasets', 'snares'), decayingSines(12, 17640), 44100);
    const args = container.args.map((a: string) => (a.startsWith('/opt/') ? path.join(rootfs, a) : a));
    expect(container.args).toEqual(['sweep', 'run', '/opt/sampgen/examples/grids/study.yaml', '--index', 'auto', '--interrupted-exit', '75']);
    // Exit 0 would mark the index complete with its entry unfinished: the interrupted code is retried, not counted.
    expect(job.spec.podFailurePolicy.rules[0]).toEqual({ action: 'Ignore', onExitCodes: { containerName: 'sweep', operator: 'In', values: [75] } });
    expect(pod.restartPolicy).toBe('Never');
    const index = 6;
    const entry = planSweep(path.join(app, 'examples/grids/study.yaml')).entries[index]!;
    const runDir = path.join(volume, entry.runDir);

    // PID 1, as in a container: a PID namespace of its own where the test may make one (root), else a plain child.
    const pid1 = process.getuid?.() === 0 && fs.existsSync('/usr/bin/unshare');
    const argv = [...entrypoint, ...args];
    const child: ChildProcess = pid1
      ? spawn('unshare', ['--pid', '--fork', '--kill-child', ...argv], { cwd: volume, env: { ...process.env, JOB_COMPLETION_INDEX: String(index) }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(argv[0]!, argv.slice(1), { cwd: volume, env: { ...process.env, JOB_COMPLETION_INDEX: String(index) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // sampgen's process: unshare's child in the namespace (PID 1 there), or the child itself.
    const sampgenPid = () => {
      if (!pid1) return child.pid!;
      for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
        try {
          // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so count from its closing parenthesis.
          const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
          if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === child.pid) return Number(p);
        } catch {
          /* gone */
        }
      }
      throw new Error(`no child of unshare ${child.pid}`);
    };
    const end = Date.now() + 120000;
    while (!hasCheckpoint(runDir) && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(hasCheckpoint(runDir)).toBe(true);
    if (pid1) expect(fs.readFileSync(`/proc/${sampgenPid()}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
    process.kill(sampgenPid(), 'SIGTERM');
    // Kubernetes sends SIGKILL after the grace period; so does the test.
    const kill = setTimeout(() => child.kill('SIGKILL'), pod.terminationGracePeriodSeconds * 1000);
    const code = await exited;
    clearTimeout(kill);
    expect([code, out]).toEqual([75, expect.stringContaining(`entry ${index} ${entry.name}-${entry.hash}: interrupted (SIGTERM); checkpoint kept`)]);
    expect(out).toContain(`sweep ${args[2]}: entry ${index} (from JOB_COMPLETION_INDEX)`);
    expect(fs.existsSync(path.join(runDir, 'done.json'))).toBe(false);
  }, 200000);
});
