import { UserError } from '../errors';

/**
 * A commander option parser for a positive integer: the number, or a UserError naming the option and the value
 * (the CLI and the benches turn it into a message and exit 2).
 */
export function positiveIntOption(name: string): (value: string) => number {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
}
