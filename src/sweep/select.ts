/**
 * Which entries of a sweep this worker runs: one index (given, or taken from the scheduler's environment), a
 * shard K/N (every entry i with i mod N = K), or all of them.
 */
import { UserError } from '../errors';

/** Environment variables read by `--index auto`, in order: sampgen's own, Slurm job arrays, Kubernetes Indexed Jobs. */
export const INDEX_VARIABLES = ['SAMPGEN_INDEX', 'SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const;

export interface IndexSource {
  index: number;
  /** Where it came from, for messages: "--index", or the variable(s). */
  source: string;
}

function parseIndex(text: string, what: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new UserError(`${what} must be a whole number >= 0, got ${JSON.stringify(text)}`);
  return Number(t);
}

/**
 * The index from `--index` (a number or "auto"). With auto: the first of SAMPGEN_INDEX, SLURM_ARRAY_TASK_ID,
 * JOB_COMPLETION_INDEX, each taken as the grid index itself. Slurm's is not offset by SLURM_ARRAY_TASK_MIN: that is
 * the lowest index of this submission, so resubmitting one task (`sbatch --array=5`) would have run entry 0.
 */
export function resolveIndex(value: string, env: NodeJS.ProcessEnv = process.env): IndexSource {
  if (value !== 'auto') return { index: parseIndex(value, '--index'), source: '--index' };
  for (const name of INDEX_VARIABLES) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    return { index: parseIndex(raw, name), source: name };
  }
  throw new UserError(
    `--index auto: none of ${INDEX_VARIABLES.join(', ')} is set; run under a Slurm array or a Kubernetes Indexed Job, ` +
      'set SAMPGEN_INDEX, or give the index as a number',
  );
}

export interface Shard {
  k: number;
  n: number;
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UserError(`--shard must look like K/N (e.g. 0/4: entries 0, 4, 8, …), got ${JSON.stringify(text)}`);
  const k = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1) throw new UserError(`--shard ${text}: N must be at least 1`);
  if (k >= n) throw new UserError(`--shard ${text}: K must be in 0..${n - 1}`);
  return { k, n };
}

/** The entries of shard K/N among `count`: i with i mod N = K, in order. Shards 0..N-1 cover every entry once. */
export function shardIndices(count: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.k; i < count; i += shard.n) out.push(i);
  return out;
}

export interface Selection {
  indices: number[];
  /** Human-readable: "entry 3 (from SLURM_ARRAY_TASK_ID)", "shard 1/4: 4 entries", "all 14 entries". */
  description: string;
}

/** Applies --index / --shard to a plan of `count` entries. */
export function selectEntries(count: number, opts: { index?: string; shard?: string; env?: NodeJS.ProcessEnv }): Selection {
  if (opts.index !== undefined && opts.shard !== undefined) throw new UserError('give either --index or --shard, not both');
  if (opts.index !== undefined) {
    const { index, source } = resolveIndex(opts.index, opts.env);
    if (index >= count) {
      throw new UserError(`index ${index} (from ${source}) is out of range: the grid has ${count} entries (indices 0..${count - 1})`);
    }
    return { indices: [index], description: `entry ${index} (from ${source})` };
  }
  if (opts.shard !== undefined) {
    const shard = parseShard(opts.shard);
    const indices = shardIndices(count, shard);
    return { indices, description: `shard ${shard.k}/${shard.n}: ${indices.length} of ${count} entries` };
  }
  return { indices: Array.from({ length: count }, (_, i) => i), description: `all ${count} entries` };
}
