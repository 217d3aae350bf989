/**
 * `npm run bench:vs-torch [-- --models dense-small,dense-medium,dense-big,vae,conv-ae,gan] [--steps 10] [--repeats 3]
 *   [--threads N] [--torch-threads 1] [--backend wasm] [--json]`
 *
 * sampgen against PyTorch on the same CPU, side by side in one run: for each model the same full training step
 * (forward, MSE, backward, Adam; the VAE with its KL term; for WaveGAN one unit of 5 critic steps with the gradient
 * penalty and a generator step) with the same batch, length and architecture, timed in sampgen (this process) and
 * in the peer script ../shared/peers/torch_peer.py (or $SAMPGEN_TORCH_PEER), run with Debian's python3-torch
 * (`apt-get install -y python3-torch libopenblas0-pthread`: without OpenBLAS, Debian's torch multiplies matrices with
 * the reference BLAS, and the bench warns; $SAMPGEN_PYTHON, default /usr/bin/python3). The two alternate repeat by
 * repeat so that both see the same machine load, and each keeps its best repeat. Where the peer cannot run, its
 * columns are empty and a message says why. The peer runs at its fastest setting: 1 thread by default, and glibc's
 * allocator kept from unmapping freed memory (PEER_MALLOC_ENV: without it, page faults made it up to 3.5x slower).
 *
 * Also measured: a plain large SGEMM (2048³) on the same machine, by torch.mm and by sampgen's native GEMM, before
 * and after the rows (the better of the two), so that each model's achieved GFLOP/s can be read against what this
 * CPU's matrix multiply reaches.
 *
 * --json prints only a JSON array of rows {model, batch, length, sampgen_samples_per_s, torch_samples_per_s, ratio,
 * gflops} (torch_samples_per_s and ratio null without the peer).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command } from 'commander';
import { backendSummary, initBackend, loadNative } from '../backend';
import { buildTrainer } from '../train/trainers';
import { PACKAGE_ROOT } from '../version';
import { BENCH_MODELS, benchConfig, benchTrainer, convAeFlops, GAN_UNITS, ganUnitFlops } from './train';
import { round, runAsScript } from './common';

interface VsModel {
  /** The name the peer script knows (and bench:train's name of the same model). */
  name: string;
  batch: number;
  length: number;
  /** Extra arguments of the peer script. */
  peerArgs: string[];
  /** --set overrides that pin sampgen's config to the peer's architecture. */
  sets: string[];
  /**
   * Floating-point operations per example of one timed unit: a training step (forward + backward ≈ 3 × forward),
   * or for the GAN one generator step with its critic steps.
   */
  flopsPerExample: number;
  /** Timed units per repeat for --steps n, and untimed ones first. */
  units: (steps: number) => number;
  warmup: number;
}

const DENSE_LENGTH = 17640;
/** The issue's conv row: d 16, batch 16, L 16384 (the peer's defaults for d and L). */
const CONV = { d: 16, batch: 16, length: 16384 };
/** The issue's GAN row: configs/gan.yaml (d 16, batch 64, L 16384, latent 100, 5 critic steps, phase shuffle 2). */
const GAN = { d: 16, batch: 64, length: 16384, latent: 100, criticSteps: 5 };

function models(): VsModel[] {
  const rows: VsModel[] = [];
  const steps = { units: (n: number) => n, warmup: 3 };
  for (const m of BENCH_MODELS) {
    // (not dense-medium-mrstft: the peer has no mr_stft loss)
    if (['dense-small', 'dense-medium', 'dense-big', 'vae'].includes(m.name)) {
      const loaded = benchConfig(m, { backend: 'wasm', batch: 32, length: DENSE_LENGTH });
      rows.push({ name: m.name, batch: 32, length: DENSE_LENGTH, peerArgs: [], sets: [], flopsPerExample: m.flopsPerExample!(DENSE_LENGTH, loaded), ...steps });
    }
  }
  rows.push({
    name: 'conv-ae',
    batch: CONV.batch,
    length: CONV.length,
    peerArgs: ['--d', String(CONV.d)],
    // The conv row pins the peer's architecture (its d, transposed convolutions) whatever configs/conv-ae.yaml says.
    sets: [`model.d=${CONV.d}`, 'model.upsample=transpose'],
    flopsPerExample: convAeFlops(CONV.length, CONV.d),
    ...steps,
  });
  rows.push({
    name: 'gan',
    batch: GAN.batch,
    length: GAN.length,
    peerArgs: ['--d', String(GAN.d)],
    sets: [`model.d=${GAN.d}`, 'model.upsample=transpose', 'model.phase_shuffle=2', `model.latent=${GAN.latent}`, `gan.critic_steps=${GAN.criticSteps}`],
    flopsPerExample: ganUnitFlops(GAN.length, GAN.d, GAN.latent, GAN.criticSteps),
    // A unit is six training steps (seconds each): a fifth as many units as --steps, after one untimed unit.
    units: GAN_UNITS,
    warmup: 1,
  });
  return rows;
}

export interface VsRow {
  model: string;
  batch: number;
  length: number;
  sampgen_samples_per_s: number;
  torch_samples_per_s: number | null;
  ratio: number | null;
  gflops: number;
}

interface Peer {
  python: string;
  script: string;
  version: string;
  /** The BLAS library torch's matrix products ran on (from the process's memory map), or null if none showed. */
  blas: string | null;
}

/**
 * Debian's python3-torch calls the system BLAS, and with only libblas3 installed that is netlib's reference BLAS,
 * about 40x slower than OpenBLAS here: a comparison against it says nothing. Shown, and warned about.
 */
function isReferenceBlas(lib: string | null): boolean {
  return lib !== null && /\/blas\/libblas\.so/.test(lib);
}

/** The peer script and a python that imports torch, or the reason there is none. */
function findPeer(): Peer | { missing: string } {
  const script = process.env.SAMPGEN_TORCH_PEER ?? path.resolve(PACKAGE_ROOT, '..', 'shared', 'peers', 'torch_peer.py');
  if (!fs.existsSync(script)) return { missing: `peer script not found at ${script} (set SAMPGEN_TORCH_PEER)` };
  const python = process.env.SAMPGEN_PYTHON ?? '/usr/bin/python3';
  const probe = [
    'import torch',
    'torch.mm(torch.rand(64, 64), torch.rand(64, 64))',
    "libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})",
    "print(torch.__version__); print(libs[0] if libs else '')",
  ].join('\n');
  const r = spawnSync(python, ['-c', probe], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    return { missing: `${python} cannot import torch (apt-get install -y python3-torch): ${(r.error?.message ?? r.stderr ?? '').trim().split('\n').pop()}` };
  }
  const [version = '?', blas = ''] = r.stdout.trim().split('\n');
  return { python, script, version: version.trim(), blas: blas.trim() || null };
}

/**
 * The peer's environment: glibc's allocator told to keep freed memory instead of returning it to the kernel.
 * PyTorch allocates every step's activations, gradients and Adam temporaries afresh; glibc serves blocks over
 * 128 KiB with mmap and unmaps them on free, so each step faults in its memory page by page again. On this
 * project's virtual machines a page fault costs microseconds, and that made the peer's dense steps 2.5-3.5x slower
 * (dense big: 140 against 498 samples/s; a plain 6.8 M-element division took 75-105 ms, nearly all of it faults):
 * ratios against that would flatter sampgen. sampgen's tensors live on the wasm heap, which is never unmapped.
 * Variables the user set are kept.
 */
export const PEER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(2 ** 32),
  MALLOC_TRIM_THRESHOLD_: String(2 ** 36),
  MALLOC_TOP_PAD_: String(2 ** 30),
};

export function peerEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...PEER_MALLOC_ENV, ...base };
}

function runPeer(peer: Peer, m: VsModel, steps: number, threads: number): number {
  const args = [peer.script, m.name, '--batch', String(m.batch), '--length', String(m.length), '--steps', String(m.units(steps)), '--threads', String(threads), '--json', ...m.peerArgs];
  const r = spawnSync(peer.python, args, { encoding: 'utf8', maxBuffer: 1 << 20, env: peerEnv() });
  if (r.error || r.status !== 0) throw new Error(`torch peer failed for ${m.name}: ${(r.error?.message ?? r.stderr).trim()}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const out = JSON.parse(line) as { samples_per_s: number };
  return out.samples_per_s;
}

/** GFLOP/s of torch.mm on 2048×2048 matrices with `threads` threads, best of three. */
function torchSgemm(peer: Peer, threads: number): number | null {
  const code = [
    'import torch, time',
    `torch.set_num_threads(${threads})`,
    'n = 2048; a = torch.rand(n, n); b = torch.rand(n, n); torch.mm(a, b); best = 1e9',
    'for _ in range(3):',
    '    t = time.perf_counter(); torch.mm(a, b); best = min(best, time.perf_counter() - t)',
    'print(2 * n ** 3 / best / 1e9)',
  ].join('\n');
  const r = spawnSync(peer.python, ['-c', code], { encoding: 'utf8', env: peerEnv() });
  return r.status === 0 ? Number(r.stdout.trim()) : null;
}

/** GFLOP/s of sampgen's native GEMM on 2048×2048 matrices, best of three; null without the addon. */
function nativeSgemm(): number | null {
  const native = loadNative();
  if (!native.ok) return null;
  const n = 2048;
  const heap = new ArrayBuffer(3 * n * n * 4);
  const f = new Float32Array(heap);
  for (let i = 0; i < 2 * n * n; i++) f[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const params = new Float64Array([1, n, n, n, 0, n, 1, 0, 4 * n * n, n, 1, 0, 8 * n * n, 0, -1, 0, 0, 0]);
  native.binding.matmul(heap, params);
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = process.hrtime.bigint();
    native.binding.matmul(heap, params);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return (2 * n ** 3) / best / 1e9;
}

/** Examples per second of timed units: the batch per training step, or for the GAN per unit (as the peer counts). */
async function sampgenSamplesPerS(m: VsModel, backend: string, steps: number): Promise<number> {
  const bench = BENCH_MODELS.find((b) => b.name === m.name)!;
  const loaded = benchConfig(bench, { backend, batch: m.batch, length: m.length, sets: m.sets });
  const trainer = buildTrainer(loaded.config, 1, { sampleRate: 44100 });
  try {
    const ms = await benchTrainer(trainer, m.batch, m.length, m.units(steps), m.warmup, trainer.stepsPerUnit);
    return (m.batch * 1000) / ms;
  } finally {
    trainer.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const all = models();
  const program = new Command()
    .option('--models <list>', 'comma-separated', all.map((m) => m.name).join(','))
    .option('--steps <n>', 'timed steps per repeat (after 3 warm-up steps)', '10')
    .option('--repeats <n>', 'alternating sampgen/torch repeats; each keeps its best', '3')
    .option('--threads <n>', "threads of sampgen's native kernels (default: the addon's, one per core)")
    .option('--torch-threads <n>', 'PyTorch threads (1 is its fastest setting on a 2-core machine)', '1')
    .option('--backend <name>', 'sampgen backend', 'wasm')
    .option('--json', 'print only a JSON array of rows')
    .parse(argv);
  const o = program.opts<{ models: string; steps: string; repeats: string; threads?: string; torchThreads: string; backend: string; json?: boolean }>();
  const say = o.json ? () => undefined : (msg: string) => process.stderr.write(msg + '\n');
  const steps = Number(o.steps);
  const repeats = Number(o.repeats);
  const torchThreads = Number(o.torchThreads);
  await initBackend(o.backend as 'wasm', say);
  const native = loadNative();
  if (o.threads !== undefined && native.ok) native.binding.configure({ threads: Number(o.threads) });
  const peerOrMissing = findPeer();
  const peer = 'missing' in peerOrMissing ? null : peerOrMissing;
  if (!peer) say(`PyTorch peer skipped: ${(peerOrMissing as { missing: string }).missing}`);
  if (peer && isReferenceBlas(peer.blas)) {
    say(
      `WARNING: PyTorch runs on the reference BLAS (${peer.blas}), far slower than an optimized one: the ratios below ` +
        'flatter sampgen. Install OpenBLAS (apt-get install -y libopenblas0-pthread) and run again.',
    );
  }

  const selected = o.models.split(',').map((name) => {
    const m = all.find((x) => x.name === name);
    if (!m) throw new Error(`unknown model ${name}; choose from ${all.map((x) => x.name).join(', ')}`);
    return m;
  });
  const sgemmOursBefore = o.json ? null : nativeSgemm();
  const sgemmTorchBefore = !o.json && peer ? torchSgemm(peer, torchThreads) : null;
  const rows: VsRow[] = [];
  for (const m of selected) {
    let ours = 0;
    let theirs = 0;
    for (let r = 0; r < repeats; r++) {
      ours = Math.max(ours, await sampgenSamplesPerS(m, o.backend, steps));
      if (peer) theirs = Math.max(theirs, runPeer(peer, m, steps, torchThreads));
      say(`${m.name} repeat ${r + 1}/${repeats}: sampgen ${ours.toFixed(1)}${peer ? `, torch ${theirs.toFixed(1)}` : ''} samples/s (best so far)`);
    }
    rows.push({
      model: m.name,
      batch: m.batch,
      length: m.length,
      sampgen_samples_per_s: round(ours, 1),
      torch_samples_per_s: peer ? round(theirs, 1) : null,
      ratio: peer ? round(ours / theirs, 2) : null,
      gflops: round((m.flopsPerExample * ours) / 1e9, 2),
    });
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  // The large product before and after the rows, the better of each: on a shared machine the load moves during a
  // run, and a product measured only at the end under more load made the GAN's row read 105% of it.
  const best = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
  const sgemmOurs = best(sgemmOursBefore, nativeSgemm());
  const sgemmTorch = best(sgemmTorchBefore, peer ? torchSgemm(peer, torchThreads) : null);
  // The machine's matrix-multiply limit: the faster of the two large products.
  const sgemm = Math.max(sgemmOurs ?? 0, sgemmTorch ?? 0) || null;
  const f = (x: number | null, d = 1) => (x === null ? '—' : x.toFixed(d));
  const lines = [
    `machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `sampgen: ${backendSummary()}`,
    `torch:   ${peer ? `PyTorch ${peer.version}, ${torchThreads} thread${torchThreads === 1 ? '' : 's'}, BLAS ${peer.blas ?? 'unknown'}, glibc malloc kept from unmapping (${Object.keys(PEER_MALLOC_ENV).join(', ')}) (${peer.script})` : 'skipped'}`,
    `sgemm 2048³: sampgen native ${f(sgemmOurs)} GFLOP/s, torch.mm ${f(sgemmTorch)} GFLOP/s` +
      (sgemm !== null ? ` ("of sgemm" below divides by ${sgemm === sgemmTorch ? 'torch.mm' : 'the native'} figure)` : ''),
    `best of ${repeats} alternating repeats of ${steps} steps (the GAN: ${GAN_UNITS(steps)} unit${GAN_UNITS(steps) === 1 ? '' : 's'} of ${GAN.criticSteps} critic steps and a generator step), samples/s (the GAN: batch per unit)`,
    '',
    '| model | batch | length | sampgen | PyTorch | sampgen/PyTorch | sampgen GFLOP/s | of sgemm |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.batch} | ${r.length} | ${f(r.sampgen_samples_per_s)} | ${f(r.torch_samples_per_s)} | ${f(r.ratio, 2)} | ` +
        `${f(r.gflops)} | ${sgemm ? `${((100 * r.gflops) / sgemm).toFixed(0)}%` : '—'} |`,
    ),
    '',
    `reproduce: npm run bench:vs-torch -- ${argv.slice(2).join(' ')}`.trimEnd(),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

runAsScript(module, 'bench:vs-torch', main);

export { findPeer };
