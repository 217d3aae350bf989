import { isUserError } from '../../src/errors';

/** The UserError `f` throws (or rejects with); fails the test if it throws anything else or nothing. */
export async function userErrorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (err) {
    expect(isUserError(err)).toBe(true);
    return err as Error;
  }
  throw new Error('expected a UserError');
}
