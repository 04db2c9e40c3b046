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
    return `it is ${JSON.stringify(record)?.slice(0, 40)}, not a JSON object`;
  const keys = Object.keys(record);
  return keys.length === 0 ? 'it has no fields' : `it has fields ${keys.join(', ')}`;
}
