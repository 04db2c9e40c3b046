import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseOrThrow } from './zod-issues.js';

describe('parseOrThrow', () => {
  const source = z.union([z.string(), z.strictObject({ path: z.string(), weight: z.number() })]);
  const sources = z.union([source, z.array(source)]);

  it('names the field inside the union option that got furthest into the value', () => {
    expect(() =>
      parseOrThrow(sources, ['a.jsonl', { path: 'b', weight: 'x' }], 'job.yaml'),
    ).toThrow(/^job\.yaml: \[1\]\.weight: Invalid input: expected number, received string$/);
  });

  it('keeps the union’s own message when no option got inside the value', () => {
    expect(() => parseOrThrow(sources, 3, 'job.yaml')).toThrow(/^job\.yaml: Invalid input$/);
  });

  it('keeps a message the union states itself, even when an option got inside the value', () => {
    const template = z.union(
      [z.string(), z.array(z.object({ name: z.string(), template: z.string() }))],
      {
        error: 'expected a Jinja template string, or a list of {"name", "template"} objects',
      },
    );
    expect(() =>
      parseOrThrow(
        z.object({ chat_template: template }),
        { chat_template: [{ name: 'a' }] },
        'tokenizer_config.json',
      ),
    ).toThrow(
      /^tokenizer_config\.json: chat_template: expected a Jinja template string, or a list/,
    );
  });
});
