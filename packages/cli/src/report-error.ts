import { UserError } from '@tunekit/core';

/**
 * Prints an error that ended a command and returns the exit code. A `UserError` is a mistake the
 * user can fix: `error: <message>` and exit code 1, with the stack only when `verbose`. Anything
 * else is a bug in tunekit: its stack (and its causes') and exit code 2.
 */
export function reportError(
  error: unknown,
  verbose: boolean,
  write: (text: string) => void,
): number {
  if (error instanceof UserError) {
    write(`error: ${verbose ? describe(error) : error.message}\n`);
    return 1;
  }
  write(`internal error (a bug in tunekit, please report it): ${describe(error)}\n`);
  return 2;
}

/** The stack of an error followed by those of its causes. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const text = error.stack ?? `${error.name}: ${error.message}`;
  return error.cause === undefined ? text : `${text}\ncaused by: ${describe(error.cause)}`;
}
