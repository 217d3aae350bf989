import { execFileSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { loadNative, NativeIsa } from '../backend/native';
import { VERSION } from '../version';

/** Where a run came from: enough to tell, months later, which code, configs, machine and data produced it. */
export interface Provenance {
  sampgen_version: string;
  /** The repository holding the config file; null when git is missing or the file is in no repository (or one with no commit yet). */
  git: { commit: string; dirty: boolean } | null;
  host: string;
  cpu: {
    model: string;
    /** Cores available to this process, as `sampgen doctor` counts them. */
    cores: number;
    /** The instruction set sampgen's native kernels use on this CPU; null when the addon is not loaded. */
    native_isa: NativeIsa | null;
    /** The native kernels in `sampgen doctor`'s words, e.g. "avx512, 2 threads" or "none (disabled by SAMPGEN_NATIVE)". */
    native_kernels: string;
  };
  node: string;
  /** e.g. "linux x64". */
  platform: string;
  /** What the run trains on, e.g. backendSummary()'s line. */
  backend: string;
  dataset_fingerprint: string;
  /** ISO 8601, UTC. */
  started: string;
}

export interface ProvenanceInput {
  /** The run's config file: its folder decides which git repository is recorded. */
  configFile: string;
  backend: string;
  datasetFingerprint: string;
  /** When the run started (default: now). */
  started?: Date;
}

/** Long enough for git on a large repository, short enough that a hung git (a network file system) cannot stall training. */
const GIT_TIMEOUT_MS = 10_000;

/** A git command's stdout in `dir`, or null when git is missing, fails, or runs past the timeout. */
function git(dir: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      timeout: GIT_TIMEOUT_MS,
      stdio: ['ignore', 'pipe', 'ignore'],
      // Never prompt (credentials, pagers): there is no one to answer.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}

/** The commit checked out in the repository that holds `dir`, and whether its work tree differs from it (untracked files count). */
export function gitState(dir: string): { commit: string; dirty: boolean } | null {
  const commit = git(dir, ['rev-parse', '--verify', 'HEAD'])?.trim();
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const status = git(dir, ['status', '--porcelain']);
  if (status === null) return null;
  return { commit, dirty: status.trim() !== '' };
}

/** Collects the provenance of a run that is starting now. Cheap (two git calls) and never throws for a missing git. */
export function collectProvenance(input: ProvenanceInput): Provenance {
  // The same facts `sampgen doctor` reports (src/backend/doctor.ts, src/backend/native.ts): the addon's own
  // description of the kernels it chose, not a second detection.
  const native = loadNative();
  return {
    sampgen_version: VERSION,
    git: gitState(path.dirname(path.resolve(input.configFile))),
    host: os.hostname(),
    cpu: {
      model: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      native_isa: native.ok ? native.binding.info().isa : null,
      native_kernels: native.ok ? native.reason : `none (${native.reason})`,
    },
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    backend: input.backend,
    dataset_fingerprint: input.datasetFingerprint,
    started: (input.started ?? new Date()).toISOString(),
  };
}
