import type { ZodError, ZodType } from 'zod';
import { UserError } from './user-error.js';

type ZodIssue = ZodError['issues'][number];

/** zod's own message for a union none of whose options matched. */
const ZOD_UNION_MESSAGE = 'Invalid input';

/**
 * "messages[2].role: Invalid option: ..." for one zod issue, its path written as in the data. A
 * union none of whose options matched is described by the option that got furthest into the value
 * (its issues' paths the longest), so a bad field inside an object names that field; a union with a message of
 * its own keeps it.
 */
export function describeZodIssue(issue: ZodIssue, root?: string): string {
  // a union whose schema states its own message keeps it: it says what the field takes
  const closest =
    issue.code === 'invalid_union' && issue.message === ZOD_UNION_MESSAGE
      ? furthestOption(issue.errors)
      : undefined;
  if (closest)
    return closest
      .map((sub) => describeZodIssue({ ...sub, path: [...issue.path, ...sub.path] }, root))
      .join('; ');
  const keys = [...(root === undefined ? [] : [root]), ...issue.path];
  const path = keys
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

/** The issues of the union option whose deepest issue is deepest; none when all are at the top. */
function furthestOption(
  options: readonly (readonly ZodIssue[])[],
): readonly ZodIssue[] | undefined {
  const depth = (issues: readonly ZodIssue[]) => Math.max(0, ...issues.map((i) => i.path.length));
  const best = options.reduce<readonly ZodIssue[] | undefined>(
    (found, option) => (depth(option) > (found ? depth(found) : 0) ? option : found),
    undefined,
  );
  return best;
}

/** Every issue of a zod error, described, under `root` when given. */
export function describeZodIssues(
  error: ZodError,
  opts: { root?: string; separator?: string } = {},
): string {
  return error.issues
    .map((issue) => describeZodIssue(issue, opts.root))
    .join(opts.separator ?? '; ');
}

/** `schema.parse` whose failure is a UserError starting with `source` (a file or a config's name). */
export function parseOrThrow<T>(schema: ZodType<T>, value: unknown, source: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UserError(`${source}: ${describeZodIssues(parsed.error)}`);
  return parsed.data;
}
