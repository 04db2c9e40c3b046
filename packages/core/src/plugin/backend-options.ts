import type { DependencyContainer } from 'tsyringe';
import { type ZodType, z } from 'zod';
import type { BackendConfig, BackendFactory } from '../backend/backend.js';
import { describeZodIssues, UserError } from '../errors/index.js';
import { resolveAllOf } from './registry.js';
import { TOKENS } from './tokens.js';

/** Where backend options sit in a config, and how their errors are named. */
export const BACKEND_OPTIONS_KEY = 'backend_options';

/**
 * The schema of `backend_options:` for the backend `factory` makes: its own `optionsSchema` (none:
 * no keys at all). An unknown key is one issue at that key naming the backend and, when another
 * registered backend has an option of that name, that the option is that backend's, not this one's.
 */
export function backendOptionsSchema<O extends BackendConfig>(
  container: DependencyContainer,
  factory: BackendFactory<O>,
): ZodType<O> {
  // no schema: no options, so the only value is the empty one
  const schema =
    factory.optionsSchema ?? (z.strictObject({}) as ZodType<BackendConfig> as ZodType<O>);
  return z.unknown().transform((value, ctx): O => {
    const parsed = schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      if (issue.code !== 'unrecognized_keys') ctx.addIssue({ ...issue });
      else
        for (const key of issue.keys)
          ctx.addIssue({
            code: 'custom',
            path: [...issue.path, key],
            message: unknownOption(container, factory, key),
          });
    }
    return z.NEVER;
  });
}

/**
 * `raw` (a config's `backend_options`, `--backend-option` flags) parsed by the schema of the backend
 * `factory` makes; a bad option is a UserError starting with `source` and naming
 * `backend_options.<key>`.
 */
export function parseBackendOptions<O extends BackendConfig>(
  container: DependencyContainer,
  factory: BackendFactory<O>,
  raw: BackendConfig | undefined,
  source: string,
): O {
  const parsed = backendOptionsSchema(container, factory).safeParse(raw);
  if (!parsed.success)
    throw new UserError(
      `${source}: ${describeZodIssues(parsed.error, { root: BACKEND_OPTIONS_KEY })}`,
    );
  return parsed.data;
}

function unknownOption<O extends BackendConfig>(
  container: DependencyContainer,
  factory: BackendFactory<O>,
  key: string,
) {
  const owners = resolveAllOf(container, TOKENS.BackendFactory)
    .filter((other) => other.id !== factory.id && optionKeys(other).includes(key))
    .map((other) => `'${other.id}'`);
  if (owners.length > 0)
    return `an option of backend ${owners.join(', ')}, not of backend '${factory.id}', the one chosen`;
  const keys = optionKeys(factory);
  return keys.length > 0
    ? `not an option of backend '${factory.id}' (its options: ${keys.join(', ')})`
    : `backend '${factory.id}' takes no options`;
}

/** The option names of a factory whose schema is a zod object (a third party's may be another type). */
function optionKeys<O extends BackendConfig>(factory: BackendFactory<O>): string[] {
  const schema = factory.optionsSchema;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : [];
}
