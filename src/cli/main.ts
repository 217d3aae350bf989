import { Command, CommanderError } from 'commander';
import { describeFileSystemError, isUserError, isRuntimeFailure, errorMessage } from '../errors';
import { signalExitCode, takeStartupSignal, turnForSignals } from '../util/signals';
import { commands } from './commands';
import { VERSION } from '../version';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('sampgen')
    .description(
      'Build neural drum-sample generators: preprocess raw one-shots into a dataset, train autoencoders, VAEs ' +
        'and GANs from YAML configs, export TensorFlow.js models, and generate, evaluate and audition them.',
    )
    .version(VERSION, '-V, --version', 'print the sampgen version')
    .option('-q, --quiet', 'no progress bars or informational messages (warnings and errors still print)')
    .option('--json', 'print a machine-readable JSON summary on stdout instead of text')
    .option('-v, --verbose', 'show stack traces of unexpected errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 success, 1 runtime failure, 2 bad usage or bad input.\n' +
        'Run `sampgen <command> --help` for the options of one command.',
    );
  for (const register of commands) register(program);
  program.hook('preAction', async (_program, action) => {
    // A SIGINT/SIGTERM that came while the CLI loaded waits in the event loop (bin/sampgen installed the handlers
    // first thing); one turn delivers it. Stopping here means stopping before the command has touched anything.
    await turnForSignals();
    const signal = takeStartupSignal();
    if (signal) throw new StoppedWhileStarting(signal, commandPath(action));
  });
  // The command list of `sampgen --help` shows one short line per command; `<cmd> --help` shows the whole text.
  for (const cmd of program.commands) if (!cmd.summary()) cmd.summary(firstClause(cmd.description()));
  markRequiredOptions(program);
  // Commander exits on its own by default; we map its outcomes to our exit codes instead.
  overrideExits(program);
  return program;
}

/** `--help` says which options must be given (commander only says so when one is missing). */
function markRequiredOptions(cmd: Command): void {
  for (const option of cmd.options) {
    if (option.mandatory && !option.description.endsWith('(required)')) option.description = `${option.description} (required)`;
  }
  for (const sub of cmd.commands) markRequiredOptions(sub);
}

/**
 * Commands whose documented answer to SIGINT/SIGTERM is a clean stop with exit 0 (they install train/stop.ts's
 * handlers): a signal before they began gets exit 0 too. Any other command ends with 128 + the signal's number.
 */
const STOPS_CLEANLY_ON_SIGNAL = new Set(['train', 'sweep run']);

class StoppedWhileStarting extends Error {
  constructor(
    readonly signal: NodeJS.Signals,
    readonly command: string,
  ) {
    super(`${signal} while sampgen was starting`);
  }
}

/** `sweep run` for the run subcommand of sweep; `train` for train. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The text up to the first sentence end or colon, e.g. "Synthesize drum one-shots (no sample library needed)". */
export function firstClause(text: string): string {
  const end = text.search(/[.:](\s|$)/);
  return end < 0 ? text : text.slice(0, end);
}

function overrideExits(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) overrideExits(sub);
}

/** `sampgen sweep plan … | head`: a reader that stops early is not an error; stop quietly as other Unix tools do. */
function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
}

/** Runs the CLI and resolves to the process exit code; never calls process.exit itself. */
export async function main(argv: string[]): Promise<number> {
  // Once per process: main runs many times in one process where a program embeds it (the tests do), and a listener
  // per run would pile up until Node warns of a leak on stdout.
  if (!process.stdout.listeners('error').includes(onStdoutError)) process.stdout.on('error', onStdoutError);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.exitCode === 0) return 0;
      return 2; // commander already printed the usage error
    }
    if (isUserError(err)) {
      process.stderr.write(`sampgen: ${errorMessage(err)}\n`);
      return 2;
    }
    if (isRuntimeFailure(err)) {
      process.stderr.write(`sampgen: ${errorMessage(err)}\n`);
      return 1;
    }
    if (err instanceof StoppedWhileStarting) {
      const cleanly = STOPS_CLEANLY_ON_SIGNAL.has(err.command);
      process.stderr.write(
        `sampgen: ${err.signal} while starting: stopped before ${err.command} began; nothing was written` +
          (cleanly ? ' (run the same command again to start)' : '') + '\n',
      );
      return cleanly ? 0 : signalExitCode(err.signal);
    }
    const verbose = program.opts().verbose || argv.includes('--verbose') || argv.includes('-v');
    // A full disk, a read-only mount, a permission: nobody's bug, but the path must be named.
    const fileSystemFailure = describeFileSystemError(err);
    if (fileSystemFailure) {
      process.stderr.write(`sampgen: ${fileSystemFailure}\n`);
      if (verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
      return 1;
    }
    process.stderr.write(`sampgen: unexpected error: ${errorMessage(err)}\n`);
    if (verbose && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    else process.stderr.write('(this is a bug or a runtime failure; rerun with --verbose for the stack trace)\n');
    return 1;
  }
}
