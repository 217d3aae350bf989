/** Sweeps: a grid of configs × axes expanded into an ordered plan, run entry by entry under run-folder locks. */
export { readGridFile, parseGrid, axisProduct, setExpression, gridConfigFiles, GRID_VERSION, type Grid, type GridAxis } from './grid';
export { planSweep, planGrid, planSummary, type PlanEntry, type SweepPlan, type PlanOptions } from './plan';
export { selectEntries, resolveIndex, parseShard, shardIndices, INDEX_VARIABLES, type Selection, type Shard } from './select';
export { tryAcquireLock, readLock, staleReason, lockPath, LOCK_FILE, type LockOwner, type HeldLock, type AcquireResult } from './lock';
export {
  runSweep,
  readMarker,
  describeOutcome,
  DONE_FILE,
  FAILED_FILE,
  DEFAULT_STALE_AFTER_SECONDS,
  type DoneMarker,
  type FailedMarker,
  type EntryOutcome,
  type EntryStatus,
  type SweepRunOptions,
  type SweepRunSummary,
} from './runner';
