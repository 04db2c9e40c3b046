import { z } from 'zod';
import { cellCode, cellText } from './markdown-table.js';

/** The part of a JSON Schema (as zod writes it) that the reference shows. */
interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly description?: string;
}

/** One documented key: its dotted path, its type, its default and its help text. */
export type SchemaRow = readonly [
  key: string,
  type: string,
  defaultValue: string,
  description: string,
];

/**
 * A row per key of a zod object schema as a config file is written (its input side), and a row per
 * key of every nested object beside it (`generation.num_samples`); `required` keys have no default.
 */
export function schemaRows(schema: z.ZodType, prefix = ''): SchemaRow[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return objectRows(json, prefix);
}

function objectRows(json: JsonSchema, prefix: string): SchemaRow[] {
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).flatMap(([name, property]) => {
    const key = `${prefix}${name}`;
    const shown = 'default' in property ? JSON.stringify(property.default) : undefined;
    const fallback = required.has(name) ? 'required' : '';
    const row: SchemaRow = [
      cellCode(key),
      cellCode(typeName(property)),
      shown === undefined ? fallback : cellCode(shown),
      cellText(property.description ?? ''),
    ];
    return [row, ...objectRows(property, `${key}.`)];
  });
}

/** `string`, `integer[]`, `'no' | 'steps'`, `string | object`: a schema's type in brief. */
function typeName(json: JsonSchema): string {
  if (json.enum) return json.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (json.anyOf) return [...new Set(json.anyOf.map(typeName))].join(' | ');
  if (Array.isArray(json.type)) return json.type.join(' | ');
  if (json.type === 'array') {
    const item = json.items ? typeName(json.items) : 'unknown';
    return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
  }
  return typeof json.type === 'string' ? json.type : 'any';
}
