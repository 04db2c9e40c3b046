import { resolve } from 'node:path';

/**
 * A record's place (`file:line`, or `file:line (record n)` in a JSON array) with the file made
 * absolute from `baseDir`, so places named from different working folders compare.
 */
export function absoluteWhere(where: string, baseDir: string): string {
  const match = /^(.*?):(\d+(?: \(record \d+\))?)$/.exec(where);
  return match ? `${resolve(baseDir, match[1] ?? '')}:${match[2]}` : where;
}
