import { readFile } from 'node:fs/promises';
import { describeZodIssue, UserError } from '@tunekit/core';
import { type Document, isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import type { ZodError, ZodType } from 'zod';

/**
 * A YAML config file validated with a zod schema. Every error names the file, the line and the
 * field (`quickstart.yaml:12: training.learning_rate: expected number, received string`), so a
 * user finds the mistake without a stack trace. `--set key.path=value` overrides are applied
 * before validation; their values are parsed as YAML scalars (`--set learning_rate=1e-4`).
 */
export async function loadYamlConfig<T>(
  file: string,
  schema: ZodType<T>,
  overrides: readonly string[] = [],
): Promise<T> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(
      `cannot read config ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = lines.linePos(e.pos[0]).line;
    throw new UserError(`${file}:${line}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const overridden = overrides.map((assignment) => ({
    assignment,
    path: applyOverride(doc, assignment),
  }));
  const parsed = schema.safeParse(toJs(doc, file) ?? {});
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.flatMap(splitUnknownKeys).map((issue) => {
    // a value given on the command line is named by its --set, not by a line of the file
    const set = overridden.find(({ path }) => path.every((key, i) => issue.path[i] === key));
    if (set) return { line: 0, text: `--set ${set.assignment}: ${describeZodIssue(issue)}` };
    const line = lineOf(doc, lines, issue.path);
    const at = line === undefined ? '' : `:${line}`;
    return { line: line ?? 0, text: `${file}${at}: ${describeZodIssue(issue)}` };
  });
  // in the order a reader meets them in the file
  messages.sort((a, b) => a.line - b.line);
  throw new UserError(messages.map((m) => m.text).join('\n'));
}

type Issue = ZodError['issues'][number];

/** One issue per unknown key, at the key itself, so each is reported with its own line. */
function splitUnknownKeys(issue: Issue): Issue[] {
  if (issue.code !== 'unrecognized_keys') return [issue];
  return issue.keys.map((key) => ({
    code: 'custom',
    path: [...issue.path, key],
    message: 'unknown key',
    input: undefined,
  }));
}

/** `a.b.c=value`: sets the value at that path, creating maps on the way; returns the path. */
function applyOverride(doc: Document, assignment: string): string[] {
  const eq = assignment.indexOf('=');
  if (eq <= 0)
    throw new UserError(`--set ${assignment}: expected key=value, e.g. --set learning_rate=1e-4`);
  const path = assignment.slice(0, eq).split('.');
  const value = toJs(parseDocument(assignment.slice(eq + 1)), `--set ${assignment}`);
  // Every key before the last names a mapping, a list (then the key is an index) or nothing yet.
  for (let i = 1; i < path.length; i++) {
    const parent = doc.getIn(path.slice(0, i), true);
    const fits = parent === undefined || isMap(parent) || (isSeq(parent) && /^\d+$/.test(path[i]));
    if (!fits)
      throw new UserError(
        `--set ${assignment}: ${path.slice(0, i).join('.')} is not a mapping, so it has no key ${path[i]}`,
      );
  }
  doc.setIn(path, value);
  return path;
}

/**
 * The document as plain values. An alias without its anchor, or aliases that would expand beyond
 * the YAML library's limit (a "billion laughs" file), are errors naming `where`.
 */
function toJs(doc: Document, where: string): unknown {
  if (doc.errors.length > 0)
    throw new UserError(`${where}: not valid YAML: ${firstLine(doc.errors[0])}`);
  try {
    return doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new UserError(`${where}: ${firstLine(error)}`);
  }
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0];
}

/** The 1-based line of the deepest YAML node on `path` (the field, or its nearest parent). */
function lineOf(
  doc: Document,
  lines: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  let node: unknown = doc.contents;
  let offset = isNode(node) ? node.range?.[0] : undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isNode(p.key) && (p.key as { value?: unknown }).value === key,
      );
      if (!pair) break;
      offset = isNode(pair.key) ? pair.key.range?.[0] : offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      offset = isNode(node) ? node.range?.[0] : offset;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
