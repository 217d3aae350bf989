/**
 * The plan of a sweep: the grid expanded into an ordered list of runs. The order is the contract between
 * workers on different machines (index i must mean the same run everywhere), so it depends only on the grid
 * file and the config files: configs in the order listed (a pattern's matches sorted by name), and for each
 * config the product of the axes in the order written, the last axis varying fastest.
 */
import { ConfigError, LoadedConfig, loadConfig } from '../config';
import { errorMessage, UserError } from '../errors';
import { runDirFor } from '../train/run';
import { smokeSets } from '../train/smoke';
import { axisProduct, Grid, gridConfigFiles, readGridFile } from './grid';

export interface PlanEntry {
  index: number;
  /** The config file, as a path from the working directory. */
  config: string;
  /** This entry's axis values as `key=value`. */
  axes: string[];
  /** Every override applied, in order: the grid's `set`, the axes, the command line's --set, then smoke's. */
  sets: string[];
  loaded: LoadedConfig;
  name: string;
  hash: string;
  runDir: string;
}

export interface SweepPlan {
  grid: Grid;
  smoke: boolean;
  entries: PlanEntry[];
}

export interface PlanOptions {
  /** `--set` overrides for every entry (applied after the grid's). */
  sets?: readonly string[];
  /** Turn every entry into its smoke run (see src/train/smoke.ts). */
  smoke?: boolean;
}

const MAX_LISTED = 12;

export function planSweep(gridFile: string, opts: PlanOptions = {}): SweepPlan {
  return planGrid(readGridFile(gridFile), opts);
}

/** Resolves every entry's config; all problems are reported together, each naming the grid entry. */
export function planGrid(grid: Grid, opts: PlanOptions = {}): SweepPlan {
  const combos = axisProduct(grid.axes);
  const entries: PlanEntry[] = [];
  // The entries as the grid defines them, before any smoke overrides: the grid is checked on these, so that a grid
  // is valid (or not) the same with and without --smoke. A smoke run fixes batch size, epochs and data for every
  // entry, so entries that differ only there share one smoke run: trained once, then reported as already done.
  const realEntries: PlanEntry[] = [];
  const problems: string[] = [];
  let index = 0;
  for (const config of gridConfigFiles(grid)) {
    for (const axes of combos) {
      const i = index++;
      const sets = [...grid.set, ...axes, ...(opts.sets ?? [])];
      try {
        const real = loadConfig(config, sets);
        realEntries.push({ index: i, config, axes, sets: [...sets], loaded: real, name: real.config.name, hash: real.hash, runDir: runDirFor(real) });
        let loaded = real;
        if (opts.smoke) {
          const extra = smokeSets(loaded.config);
          loaded = loadConfig(config, [...sets, ...extra]);
          sets.push(...extra);
        }
        entries.push({ index: i, config, axes, sets, loaded, name: loaded.config.name, hash: loaded.hash, runDir: runDirFor(loaded) });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        const what = axes.length > 0 ? `${config} with ${axes.join(', ')}` : config;
        const detail = err instanceof ConfigError ? err.issues.map((x) => `    ${x.source}${x.line ? `:${x.line}` : ''}: ${x.message}`).join('\n') : `    ${errorMessage(err)}`;
        problems.push(`  entry ${i} (${what}):\n${detail}`);
      }
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_LISTED);
    if (problems.length > MAX_LISTED) shown.push(`  … and ${problems.length - MAX_LISTED} more entries with problems`);
    throw new UserError(`${grid.file}: ${problems.length} of ${index} grid entries do not resolve to a valid config:\n${shown.join('\n')}`);
  }
  checkDistinctRunFolders(grid, realEntries);
  return { grid, smoke: Boolean(opts.smoke), entries };
}

/**
 * Two entries in one run folder would train into each other. That happens when an axis varies only keys the
 * config hash leaves out (how often to log or checkpoint, output folders) or a config repeats another. Two
 * entries with one config hash in different folders are the same experiment trained twice, under a name that
 * misleads for one of them: an axis over a key that the configs themselves already vary (configs/ae-small-*.yaml
 * with model.activation: [relu, tanh] makes "ae-small-relu" train tanh).
 */
function checkDistinctRunFolders(grid: Grid, entries: readonly PlanEntry[]): void {
  const byFolder = new Map<string, PlanEntry>();
  const byHash = new Map<string, PlanEntry>();
  const clashes: string[] = [];
  const repeats: string[] = [];
  const describe = (e: PlanEntry) => (e.axes.length > 0 ? `${e.config} with ${e.axes.join(', ')}` : e.config);
  for (const e of entries) {
    const prev = byFolder.get(e.runDir);
    if (prev) {
      clashes.push(`  entries ${prev.index} and ${e.index} both resolve to ${e.runDir}`);
      continue;
    }
    byFolder.set(e.runDir, e);
    const same = byHash.get(e.hash);
    if (same) repeats.push(`  entries ${same.index} (${describe(same)}) and ${e.index} (${describe(e)}) are one experiment (config hash ${e.hash})`);
    else byHash.set(e.hash, e);
  }
  if (clashes.length > 0) {
    throw new UserError(
      `${grid.file}: ${clashes.length} grid entries share a run folder with another:\n${clashes.slice(0, MAX_LISTED).join('\n')}\n` +
        'An axis that varies only keys left out of the config hash (train.epochs, train.max_steps, train.early_stop, ' +
        'train.export, train.log_every, train.checkpoint_every, output.*, gan.preview_*) gives the same experiment twice ' +
        '(a longer run is the shorter one extended: train the longest and read the shorter from its log); drop that axis, ' +
        'or vary `name` with it.',
    );
  }
  if (repeats.length > 0) {
    throw new UserError(
      `${grid.file}: ${repeats.length} grid entries repeat an experiment of another entry:\n${repeats.slice(0, MAX_LISTED).join('\n')}\n` +
        'An axis over a key that the listed configs already set differently trains the same model several times, under ' +
        'names that say otherwise; list fewer configs, or drop that axis.',
    );
  }
}

/** The plan as plain data, for `sweep plan --json` and scripts (e.g. a CI matrix built from the indices). */
export function planSummary(plan: SweepPlan): Record<string, unknown> {
  return {
    grid: plan.grid.file,
    smoke: plan.smoke,
    count: plan.entries.length,
    indices: plan.entries.map((e) => e.index),
    entries: plan.entries.map((e) => ({
      index: e.index,
      config: e.config,
      axes: e.axes,
      sets: e.sets,
      name: e.name,
      model: e.loaded.config.model.type,
      hash: e.hash,
      run: e.runDir,
    })),
  };
}
