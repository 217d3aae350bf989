import { errorMessage, isUserError } from '../errors';

/** What the benchmarks share: rounding for their tables and JSON, and running one as a script. */

export function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/**
 * Runs `main` when `module` is the script node was started with. Bad input (a UserError) prints its message and
 * exits 2, as the CLI does; any other failure prints its stack and exits 1.
 */
export function runAsScript(module: NodeModule, name: string, main: (argv: string[]) => Promise<void>): void {
  if (require.main !== module) return;
  main(process.argv).catch((err: unknown) => {
    if (isUserError(err)) {
      process.stderr.write(`${name}: ${errorMessage(err)}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name} failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
