import { Command, Option } from 'commander';
import { BACKEND_REQUESTS } from '../backend/names';
import { cliProgress, Progress } from '../progress';

/** Options every command accepts (defined once on the root program). */
export interface GlobalOptions {
  quiet?: boolean;
  json?: boolean;
  verbose?: boolean;
}

/** What a command's action needs from the CLI layer: how to talk to the user. */
export interface CommandContext {
  options: GlobalOptions;
  progress: Progress;
  /** Human-readable output on stdout; suppressed with --json (which prints only the summary). */
  print(line: string): void;
  /** Informational line on stderr; suppressed with --quiet. */
  info(line: string): void;
  /** Warnings always reach stderr, --quiet or not. */
  warn(line: string): void;
  /** With --json: print `summary` as the only stdout output. */
  printJson(summary: unknown): void;
}

export function contextFor(cmd: Command): CommandContext {
  const options = cmd.optsWithGlobals<GlobalOptions>();
  return {
    options,
    progress: options.json && !process.stderr.isTTY ? cliProgress({ quiet: true }) : cliProgress(options),
    print: (line) => {
      if (!options.json) process.stdout.write(line + '\n');
    },
    info: (line) => {
      if (!options.quiet) process.stderr.write(line + '\n');
    },
    warn: (line) => void process.stderr.write(`warning: ${line}\n`),
    printJson: (summary) => void process.stdout.write(JSON.stringify(summary, null, 2) + '\n'),
  };
}

/** Commander option parser for repeatable options (`--set a=1 --set b=2`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** --backend <name> with the backends sampgen knows as its choices (one list: src/backend/names.ts). */
export function backendOption(description: string): Option {
  return new Option('--backend <name>', description).choices([...BACKEND_REQUESTS]);
}
