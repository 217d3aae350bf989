import { SingleBar, Presets } from 'cli-progress';

/**
 * Every long loop reports through this interface, so that the CLI shows bars, tests stay silent and --json
 * prints only the summary. `payload` values appear in the bar's format (e.g. loss, samples/s).
 */
export interface Progress {
  start(total: number, label: string, payload?: Record<string, string | number>): void;
  update(done: number, payload?: Record<string, string | number>): void;
  increment(by?: number, payload?: Record<string, string | number>): void;
  stop(): void;
  /** A line of information that must not tear the bar (goes to stderr). */
  log(message: string): void;
  /** A warning: shown even where information is not (--quiet); falls back to log where absent. */
  warn?(message: string): void;
  /** True where one live line redraws in place (a terminal): loops then show state in it instead of printing lines. */
  readonly live?: boolean;
}

/** Sends a warning through `progress` (see Progress.warn). */
export function warnThrough(progress: Progress, message: string): void {
  if (progress.warn) progress.warn(message);
  else progress.log(`warning: ${message}`);
}

/** Says nothing: for tests, --quiet, and library callers who want no output. */
export const silentProgress: Progress = {
  start() {},
  update() {},
  increment() {},
  stop() {},
  log() {},
};

/** Plain log lines on stderr, no bars: for --quiet-less runs whose stderr is not a TTY. */
export function lineProgress(stream: NodeJS.WritableStream = process.stderr): Progress {
  return { ...silentProgress, log: (m: string) => void stream.write(m + '\n') };
}

/** cli-progress bars on stderr. Payload keys are shown as `key value` after the counters. */
export function barProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let bar: SingleBar | undefined;
  let keys: string[] = [];
  const format = (label: string, payload: Record<string, string | number>) => {
    keys = Object.keys(payload);
    const extra = keys.map((k) => ` ${k} {${k}}`).join('');
    return `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}${extra}`;
  };
  return {
    live: true,
    start(total, label, payload = {}) {
      bar?.stop();
      bar = new SingleBar(
        { format: format(label, payload), stream, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
        Presets.shades_classic,
      );
      bar.start(total, 0, payload);
    },
    update(done, payload) {
      bar?.update(done, payload);
    },
    increment(by = 1, payload) {
      bar?.increment(by, payload);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
    log(message) {
      if (bar) {
        // cli-progress redraws on the next update; clear the line first so the message stands alone.
        stream.write('\r\x1b[K' + message + '\n');
      } else {
        stream.write(message + '\n');
      }
    },
    warn(message) {
      this.log(`warning: ${message}`);
    },
  };
}

/** The CLI's choice: bars on a TTY, plain lines otherwise, nothing with --quiet. */
export function cliProgress(opts: { quiet?: boolean; json?: boolean }): Progress {
  if (opts.quiet) return { ...silentProgress, warn: (m: string) => void process.stderr.write(`warning: ${m}\n`) };
  const stderr = process.stderr;
  return stderr.isTTY ? barProgress(stderr) : lineProgress(stderr);
}
