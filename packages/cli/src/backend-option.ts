import { InvalidArgumentError, Option } from 'commander';
import { parse } from 'yaml';

/**
 * `--backend <id>`, for every command that runs a model: the backend, by default the one the
 * training record's run trained on (`chooseInferenceBackend`), else the best available one.
 */
export function backendFlag(): Option {
  return new Option(
    '--backend <id>',
    "backend to run on (default: the one its run trained on, as the adapter's or model's training record says, else the best available one)",
  );
}

/** `--backend-option key=value` as commander collects it: the options by key, in order. */
export type BackendOptionFlags = Readonly<Record<string, unknown>>;

/**
 * `--backend-option key=value` (repeatable), for every command that creates a backend: one of the
 * backend's own options (webgpu's f16_weights, onnx's frozen_weights), the value read as a YAML
 * scalar as `--set` reads it (`on` stays a string, `4` is a number). The backend's schema checks
 * them once the backend is chosen. `help` ends the help text; by default it says that the options
 * override those of the training record's run when the backend is the one it trained on.
 */
export function backendOptionFlag(
  help = "; each overrides the training record's backend_options when the backend is the one it trained on",
): Option {
  return new Option(
    '--backend-option <key=value>',
    `one of the backend's own options, e.g. f16_weights=on (webgpu) or frozen_weights=initializers (onnx); repeatable${help}`,
  ).argParser(addBackendOption);
}

/** Adds one `key=value` to the options collected so far; a later one wins. */
export function addBackendOption(
  assignment: string,
  previous: BackendOptionFlags = {},
): BackendOptionFlags {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('Expected key=value, e.g. f16_weights=on.');
  let value: unknown;
  try {
    value = parse(assignment.slice(eq + 1));
  } catch (error) {
    throw new InvalidArgumentError(`Not a YAML value: ${(error as Error).message.split('\n')[0]}`);
  }
  return { ...previous, [assignment.slice(0, eq)]: value };
}

/** The flags as `--set` assignments of the config's `backend_options` (tunekit train). */
export function backendOptionOverrides(flags: BackendOptionFlags = {}): string[] {
  return Object.entries(flags).map(
    ([key, value]) => `backend_options.${key}=${JSON.stringify(value)}`,
  );
}
