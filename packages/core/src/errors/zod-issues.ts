import type { ZodError, ZodType } from 'zod';
import { UserError } from './user-error.js';

/** "messages[2].role: Invalid option: ..." for one zod issue, its path written as in the data. */
export function describeZodIssue(issue: ZodError['issues'][number], root?: string): string {
  const keys = [...(root === undefined ? [] : [root]), ...issue.path];
  const path = keys
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
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
