import { type DatasetFormat, parseOrThrow } from '@tunekit/core';
import type { ZodType } from 'zod';
import { hasFields } from './has-fields.js';

/** A dataset format recognised by the fields its records have and read through its zod schema. */
export function schemaFormat<R>(
  spec: Omit<DatasetFormat<R>, 'detect' | 'parse'> & {
    /** A record with every one of these is of this format. */
    readonly fields: readonly string[];
    readonly schema: ZodType<R>;
  },
): DatasetFormat<R> {
  const { fields, schema, ...format } = spec;
  return {
    ...format,
    detect: (record) => hasFields(record, ...fields),
    parse: (record, where) => parseOrThrow(schema, record, where),
  };
}
