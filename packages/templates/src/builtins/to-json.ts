/**
 * A value as Jinja's `tojson` filter writes it in transformers (Python's `json.dumps` with
 * `ensure_ascii=False`) and @huggingface/jinja alike: `", "` between items, `": "` after keys, keys
 * in their order, strings escaped as JSON does.
 */
export function toJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${toJson(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
