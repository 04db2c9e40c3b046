import { type DatasetFormat, UserError } from '@tunekit/core';

/**
 * The format of a source, from its first record: of the formats whose `detect` matches, the one
 * of highest priority. No match returns an explanation (the record is invalid, and may be
 * skipped); a tie at the top is an error, as the data cannot say which format it is.
 */
export function detectFormat(
  record: unknown,
  formats: readonly DatasetFormat[],
  where: string,
): DatasetFormat | { readonly invalid: string } {
  const matches = formats.filter((format) => format.detect(record));
  if (matches.length === 0) {
    const known = formats.map((format) => `${format.id} (${format.description})`).join('; ');
    return {
      invalid: `${where}: the record matches no dataset format (${describeFields(record)}); known formats: ${known}`,
    };
  }
  const top = Math.max(...matches.map((format) => format.priority));
  const best = matches.filter((format) => format.priority === top);
  if (best.length > 1) {
    throw new UserError(
      `${where}: the record matches the dataset formats ${best.map((f) => `'${f.id}'`).join(' and ')} equally; set format: to the one it is`,
    );
  }
  return best[0];
}

/** "it has fields a, b" for an object record, what it is otherwise. */
export function describeFields(record: unknown): string {
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return `it is ${preview(record, 40)}, not a JSON object`;
  const keys = Object.keys(record);
  return keys.length === 0 ? 'it has no fields' : `it has fields ${keys.join(', ')}`;
}

/**
 * The JSON text of `value`, cut to `limit` characters. It is written only as far as it is shown,
 * so a value nested 100,000 deep (one line of `[[[...]]]`) costs `limit` steps, not a stack.
 */
function preview(value: unknown, limit: number): string {
  let out = '';
  const write = (v: unknown): void => {
    if (out.length > limit) return;
    if (typeof v !== 'object' || v === null) {
      out += JSON.stringify(v) ?? String(v);
      return;
    }
    const array = Array.isArray(v);
    out += array ? '[' : '{';
    for (const [i, [key, item]] of Object.entries(v).entries()) {
      if (out.length > limit) return;
      if (i > 0) out += ',';
      if (!array) out += `${JSON.stringify(key)}:`;
      write(item);
    }
    out += array ? ']' : '}';
  };
  write(value);
  return out.length > limit ? `${out.slice(0, limit)}...` : out;
}
