import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The CUDA libraries that tfjs-node-gpu 4.x (TensorFlow 2.9 binaries) links against. */
export const CUDA_RUNTIME = 'libcudart.so.11.0';
export const CUDNN = 'libcudnn.so.8';

/** What this machine shows of CUDA: enough to explain why tfjs-node-gpu did or did not find a GPU. */
export interface CudaVisibility {
  /** Path of nvidia-smi on PATH, or null. */
  nvidiaSmi: string | null;
  /** `nvidia-smi -L` lines (one per GPU the driver sees), empty when nvidia-smi is absent or fails. */
  gpus: string[];
  /** CUDA_VISIBLE_DEVICES as set (null when unset; '' or '-1' hides every GPU). */
  cudaVisibleDevices: string | null;
  /** Paths of libcudart.so* found in the library search path; `cudart` is the CUDA_RUNTIME one, if any. */
  libcudart: string[];
  cudart: string | null;
  libcudnn: string[];
  cudnn: string | null;
}

/** Looks for nvidia-smi and the CUDA runtime libraries without loading them (doctor, and the no-GPU warning). */
export function probeCuda(env: NodeJS.ProcessEnv = process.env): CudaVisibility {
  const nvidiaSmi = findOnPath('nvidia-smi', env.PATH ?? '');
  let gpus: string[] = [];
  if (nvidiaSmi) {
    const r = spawnSync(nvidiaSmi, ['-L'], { encoding: 'utf8', timeout: 5000 });
    if (r.status === 0) gpus = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  }
  const libs = findLibraries(['libcudart.so', 'libcudnn.so'], env);
  const libcudart = libs.filter((p) => path.basename(p).startsWith('libcudart.so'));
  const libcudnn = libs.filter((p) => path.basename(p).startsWith('libcudnn.so'));
  return {
    nvidiaSmi,
    gpus,
    cudaVisibleDevices: env.CUDA_VISIBLE_DEVICES ?? null,
    libcudart,
    cudart: libcudart.find((p) => path.basename(p) === CUDA_RUNTIME) ?? null,
    libcudnn,
    cudnn: libcudnn.find((p) => path.basename(p) === CUDNN) ?? null,
  };
}

/** One line per fact, for logs and the doctor's text output. */
export function describeCuda(c: CudaVisibility): string[] {
  const lines: string[] = [];
  lines.push(
    c.nvidiaSmi
      ? `nvidia-smi: ${c.nvidiaSmi}${c.gpus.length ? ` (${c.gpus.length} GPU${c.gpus.length > 1 ? 's' : ''}: ${c.gpus.join('; ')})` : ' (lists no GPU)'}`
      : 'nvidia-smi: not found on PATH (no NVIDIA driver visible)',
  );
  lines.push(
    c.cudaVisibleDevices === null
      ? 'CUDA_VISIBLE_DEVICES: unset'
      : `CUDA_VISIBLE_DEVICES: '${c.cudaVisibleDevices}'${c.cudaVisibleDevices === '' || c.cudaVisibleDevices === '-1' ? ' (hides every GPU)' : ''}`,
  );
  lines.push(
    c.cudart
      ? `${CUDA_RUNTIME}: ${c.cudart}`
      : `${CUDA_RUNTIME}: not found${c.libcudart.length ? ` (other versions: ${c.libcudart.join(', ')})` : ''}`,
  );
  lines.push(
    c.cudnn ? `${CUDNN}: ${c.cudnn}` : `${CUDNN}: not found${c.libcudnn.length ? ` (other versions: ${c.libcudnn.join(', ')})` : ''}`,
  );
  return lines;
}

function findOnPath(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Files whose name starts with one of `prefixes`, in LD_LIBRARY_PATH, the usual CUDA folders and ldconfig's cache. */
function findLibraries(prefixes: string[], env: NodeJS.ProcessEnv): string[] {
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(path.delimiter),
    '/usr/local/cuda/lib64',
    '/usr/local/cuda-11.2/lib64',
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
  ].filter((d) => d.length > 0);
  const found = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (prefixes.some((p) => n.startsWith(p))) found.add(path.join(dir, n));
  }
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    if (!fs.existsSync(ldconfig)) continue;
    const r = spawnSync(ldconfig, ['-p'], { encoding: 'utf8', timeout: 5000 });
    if (r.status !== 0) break;
    for (const line of r.stdout.split('\n')) {
      const m = /=>\s*(\S+)\s*$/.exec(line);
      if (m && prefixes.some((p) => path.basename(m[1]).startsWith(p))) found.add(m[1]);
    }
    break;
  }
  return [...found]; // in search order: LD_LIBRARY_PATH first, as the dynamic loader looks
}
