import type { NonFiniteOptions } from '@tunekit/core';
import type { CliStreams } from './run-cli.js';

/** `--allow-nonfinite`, for every command that loads weights. */
export const ALLOW_NONFINITE_FLAG = '--allow-nonfinite';
export const ALLOW_NONFINITE_HELP =
  'load weights holding NaN or Inf with a warning (by default they are an error)';

/** The flag as core's loading options: allowed non-finite tensors are reported on stderr. */
export function nonFiniteOptions(
  flags: { readonly allowNonfinite?: boolean },
  streams: CliStreams,
): NonFiniteOptions {
  return {
    allowNonfinite: flags.allowNonfinite === true,
    warn: (message) => streams.stderr.write(`warning: ${message}\n`),
  };
}
