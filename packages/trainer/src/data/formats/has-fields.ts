/** True when `record` is a JSON object (not an array, not null) with every one of `fields`. */
export function hasFields(record: unknown, ...fields: string[]): record is Record<string, unknown> {
  return (
    typeof record === 'object' &&
    record !== null &&
    !Array.isArray(record) &&
    fields.every((field) => field in record)
  );
}
