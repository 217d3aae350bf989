/** A request to stop after the current batch, set by a signal handler or by code (tests, sweeps). */
export interface StopFlag {
  requested: boolean;
  reason?: string;
}

export function newStopFlag(): StopFlag {
  return { requested: false };
}

/**
 * SIGINT/SIGTERM ask the loop to finish its batch, checkpoint and return; a second signal exits at once
 * (the last complete checkpoint is still on disk, because checkpoint writes are atomic).
 */
export function installStopHandlers(flag: StopFlag, onFirst?: (signal: string) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (flag.requested) {
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
