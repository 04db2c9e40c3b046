import { createHash } from 'node:crypto';
import { UserError } from '@tunekit/core';
import { expandPaths, readRecords } from '../data/index.js';

/** One labelled request: the text a router reads and the route it should take. */
export interface RouterExample {
  readonly text: string;
  readonly label: string;
}

/**
 * The labelled examples of a router's data files (JSON Lines or a JSON array, relative to
 * `baseDir`): `{"text": "...", "label": "math"}` as text classification data is written, or
 * `{"messages": [...], "label": "math"}`, whose last user message is the text. A record of
 * another shape is an error naming its file and line.
 */
export async function readRouterExamples(
  patterns: readonly string[],
  baseDir: string,
): Promise<RouterExample[]> {
  const examples: RouterExample[] = [];
  for (const file of await expandPaths(patterns, baseDir)) {
    for await (const raw of readRecords(file, createHash('sha256'))) {
      if ('invalid' in raw) throw new UserError(`${raw.where}: ${raw.invalid}`);
      examples.push(exampleOf(raw.record, raw.where));
    }
  }
  if (examples.length === 0) throw new UserError(`${patterns.join(', ')}: no examples`);
  return examples;
}

function exampleOf(record: unknown, where: string): RouterExample {
  const r = (record ?? {}) as { text?: unknown; label?: unknown; messages?: unknown };
  if (typeof r.label !== 'string' || r.label === '')
    throw new UserError(`${where}: expected "label": the adapter's name (or "none")`);
  if (typeof r.text === 'string') return { text: r.text, label: r.label };
  const users = Array.isArray(r.messages)
    ? r.messages.filter((m) => m?.role === 'user' && typeof m.content === 'string')
    : [];
  if (users.length > 0) return { text: users[users.length - 1].content, label: r.label };
  throw new UserError(`${where}: expected "text" (a string) or "messages" with a user message`);
}
