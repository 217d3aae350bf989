/**
 * One error type for user mistakes: a bad file, a bad config, a bad argument. The CLI maps it to exit 2 and
 * prints only its message; any other error is a bug (exit 1, with a hint to rerun with --verbose).
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A failure that is nobody's bug but stops the work, such as a diverging training run: exit 1 with its message,
 * without the "rerun with --verbose" hint that unexpected errors get.
 */
export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isRuntimeFailure(err: unknown): err is RuntimeFailure {
  return err instanceof RuntimeFailure || (err instanceof Error && err.name === 'RuntimeFailure');
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError || (err instanceof Error && err.name === 'UserError');
}

/** The message of anything thrown, for reasons and logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
