/**
 * SIGINT and SIGTERM for the whole `sampgen` process. bin/sampgen installs these handlers before it loads anything
 * else: loading the CLI and TF.js takes seconds on a busy machine, and a signal in that time used to kill the process
 * (exit 143/130) even for `sampgen train`, whose answer to SIGTERM is a clean stop with exit 0.
 *
 * - While the CLI starts, a signal is only remembered; the CLI takes it (takeStartupSignal) before the command does
 *   anything, and stops with a message instead of starting.
 * - While a command runs that has its own handler (train and sweep run install train/stop.ts's, audition its own),
 *   that handler decides and these stay out of the way.
 * - While any other command runs, a signal ends the process as it would without handlers: the handlers are removed
 *   and the signal raised again (the exit status then says "killed by SIGTERM", as scripts expect).
 * - Once the command has finished, a signal ends the process at once with the command's own exit code: the work is
 *   done (a train stopped by a first SIGTERM has saved its checkpoint), so a second SIGTERM from a supervisor must
 *   not turn it into a failure.
 *
 * This module must stay free of imports beyond Node's own: it loads before everything else.
 */

import * as os from 'os';

type Phase = 'starting' | 'running' | 'finished';

let installed = false;
let phase: Phase = 'starting';
let pending: NodeJS.Signals | null = null;

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Installs the process-wide handlers (once; later calls do nothing). */
export function installProcessSignalHandlers(): void {
  if (installed) return;
  installed = true;
  phase = 'starting';
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
}

function onSignal(signal: NodeJS.Signals): void {
  if (process.listenerCount(signal) > 1) return; // the running command's own handler deals with it
  if (phase === 'starting') {
    pending ??= signal;
    return;
  }
  if (phase === 'finished') {
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  }
  for (const s of STOP_SIGNALS) process.off(s, onSignal);
  process.kill(process.pid, signal);
}

/**
 * Called by the CLI just before a command's action runs: the signal that arrived while the CLI started (null if
 * none). From here on, signals are the command's business. Give the event loop a turn first (signals that arrived
 * during synchronous loading are delivered there), see turnForSignals.
 */
export function takeStartupSignal(): NodeJS.Signals | null {
  const signal = pending;
  pending = null;
  if (installed) phase = 'running';
  return signal;
}

/** Resolves after one turn of the event loop, in which signals that are waiting reach their handlers. */
export function turnForSignals(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Called once the command has finished and `process.exitCode` holds its exit code. */
export function markCommandFinished(): void {
  phase = 'finished';
}

/** The shell's exit status for a process ended by `signal`: 128 + its number (130 for SIGINT, 143 for SIGTERM). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? os.constants.signals.SIGTERM);
}
