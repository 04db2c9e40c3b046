import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseJsonText, UserError } from '@tunekit/core';
import { z } from 'zod';

/** One entry of LLaMA-Factory's data/dataset_info.json (its README's "dataset_info.json" section). */
const entrySchema = z.object({
  file_name: z.string().min(1),
  formatting: z.enum(['alpaca', 'sharegpt']).default('alpaca'),
  ranking: z.boolean().default(false),
  columns: z.record(z.string(), z.string()).default({}),
  tags: z.record(z.string(), z.string()).default({}),
});

export type DatasetInfoEntry = z.infer<typeof entrySchema>;

/** A data set as a dataset_info.json entry describes it: its file, and records in our shapes. */
export interface DatasetInfoSource {
  readonly path: string;
  /** A record in the file, renamed to the fields tunekit's formats read. */
  readonly mapRecord: (record: unknown, where: string) => unknown;
}

/**
 * The data set `name` of a LLaMA-Factory dataset_info.json: its file (relative to the JSON's
 * folder) and a mapping of its columns and role tags onto Alpaca, ShareGPT or preference records.
 */
export async function readDatasetInfo(file: string, name: string): Promise<DatasetInfoSource> {
  const info = parseJsonText(await readFile(file, 'utf8'), file);
  const entry = (info as Record<string, unknown>)[name];
  if (entry === undefined)
    throw new UserError(
      `${file}: no data set '${name}'; it describes ${Object.keys(info as object).join(', ')}`,
    );
  const parsed = entrySchema.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${name}.${issue?.path.join('.')}: ${issue?.message}`);
  }
  return {
    path: resolve(dirname(file), parsed.data.file_name),
    mapRecord: (record, where) => mapDatasetInfoRecord(parsed.data, record, where),
  };
}

/** One record under `entry`'s columns and tags, as tunekit's alpaca, sharegpt or preference record. */
export function mapDatasetInfoRecord(
  entry: DatasetInfoEntry,
  record: unknown,
  where: string,
): unknown {
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new UserError(`${where}: a record must be a JSON object`);
  const r = record as Record<string, unknown>;
  const col = (key: string, fallback: string) => r[entry.columns[key] ?? fallback];
  const system = col('system', 'system');
  const tools = col('tools', 'tools');
  const extras = {
    ...(system !== undefined ? { system } : {}),
    ...(tools !== undefined ? { tools } : {}),
  };
  if (entry.formatting === 'alpaca') {
    const instruction = col('prompt', 'instruction');
    const input = col('query', 'input');
    const prompt =
      typeof input === 'string' && input !== '' ? `${instruction}\n\n${input}` : instruction;
    if (entry.ranking)
      return {
        prompt,
        chosen: col('chosen', 'chosen'),
        rejected: col('rejected', 'rejected'),
        ...extras,
      };
    const history = col('history', 'history');
    return {
      instruction,
      input: input ?? '',
      output: col('response', 'output'),
      ...(history !== undefined ? { history } : {}),
      ...extras,
    };
  }
  const turns = (value: unknown, field: string) => {
    if (!Array.isArray(value))
      throw new UserError(`${where}: ${field}: expected a list of messages`);
    return value.map((turn) => shareGptTurn(entry, turn, `${where}: ${field}`));
  };
  const conversations = turns(
    col('messages', 'conversations'),
    entry.columns.messages ?? 'conversations',
  );
  if (!entry.ranking) return { conversations, ...extras };
  const messages = (list: readonly ShareGptTurn[]) =>
    list.map(({ from, value }) => ({ role: ROLE_OF[from], content: value }));
  return {
    prompt: messages(conversations),
    chosen: messages(turns([col('chosen', 'chosen')], 'chosen')),
    rejected: messages(turns([col('rejected', 'rejected')], 'rejected')),
    ...(system !== undefined ? { system } : {}),
  };
}

/** The speakers tunekit's sharegpt format reads, and the chat role of each. */
const ROLE_OF = {
  human: 'user',
  gpt: 'assistant',
  function_call: 'assistant',
  observation: 'tool',
  system: 'system',
} as const;

interface ShareGptTurn {
  readonly from: keyof typeof ROLE_OF;
  readonly value: string;
}

/** A turn under the entry's tags, with the speaker renamed to the one tunekit's sharegpt reads. */
function shareGptTurn(entry: DatasetInfoEntry, turn: unknown, where: string): ShareGptTurn {
  const tag = (name: string, fallback: string) => entry.tags[name] ?? fallback;
  const speakers: [string, ShareGptTurn['from']][] = [
    [tag('user_tag', 'human'), 'human'],
    [tag('assistant_tag', 'gpt'), 'gpt'],
    [tag('function_tag', 'function_call'), 'function_call'],
    [tag('observation_tag', 'observation'), 'observation'],
    [tag('system_tag', 'system'), 'system'],
  ];
  const t = (turn ?? {}) as Record<string, unknown>;
  const speaker = t[tag('role_tag', 'from')];
  const value = t[tag('content_tag', 'value')];
  if (typeof value !== 'string')
    throw new UserError(`${where}: a turn has no '${tag('content_tag', 'value')}' text`);
  const from = speakers.find(([name]) => name === speaker)?.[1];
  if (from === undefined)
    throw new UserError(
      `${where}: speaker ${JSON.stringify(speaker)} is none of the tags ${speakers.map(([name]) => name).join(', ')}`,
    );
  return { from, value };
}
