/** A request to stop after the current batch, set by a signal handler or by code (tests, sweeps). */
export interface StopFlag {
  requested: boolean;
  reason?: string;
  /**
   * Set by the training loop once the checkpoint of a requested stop is on disk: nothing is lost any more, so a
   * further signal ends the process at once with exit 0 instead of 130.
   */
  saved?: boolean;
}

export function newStopFlag(): StopFlag {
  return { requested: false };
}

/**
 * SIGINT/SIGTERM ask the loop to finish its batch, checkpoint and return; a second signal exits at once (the last
 * complete checkpoint is still on disk, because checkpoint writes are atomic): with 130 while the batch or its
 * checkpoint is still being made, with 0 once the stop's checkpoint is saved (`flag.saved`).
 */
export function installStopHandlers(flag: StopFlag, onFirst?: (signal: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (flag.requested) {
      if (flag.saved) {
        process.stderr.write(`\n${signal} again: the checkpoint is already saved; exiting\n`);
        process.exit(0);
      }
      process.stderr.write(`\n${signal} again: exiting without a new checkpoint\n`);
      process.exit(130);
    }
    flag.requested = true;
    flag.reason = signal;
    onFirst?.(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
