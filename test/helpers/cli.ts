import { main } from '../../src/cli/main';

/** Runs the CLI in this process with `args` (after `sampgen`), capturing stdout and stderr; `env` is set for the call. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const exitCode = process.exitCode;
  try {
    return { code: await main(['node', 'sampgen', ...args]), out, err };
  } finally {
    process.env = saved;
    process.exitCode = exitCode;
    so.mockRestore();
    se.mockRestore();
  }
}
