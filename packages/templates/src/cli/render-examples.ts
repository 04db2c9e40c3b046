import { stat } from 'node:fs/promises';
import { type ChatTemplate, type ChatTemplateContext, Tokenizer, UserError } from '@tunekit/core';
import { contextFromTokenizer } from '../context.js';
import { createJinjaTemplate } from '../jinja/index.js';
import {
  IGNORE_INDEX,
  type LossPolicy,
  supervisedRanges,
  type TextRange,
  tokenizeExample,
} from '../loss/index.js';
import { TEMPLATES } from '../plugin.js';
import { renderRecord } from '../records/index.js';
import { highlight } from './highlight.js';
import { readRecords } from './read-records.js';

export interface RenderExamplesOptions {
  /** A template id, or a model folder whose tokenizer_config.json has a chat_template. */
  readonly template: string;
  /** JSONL (one record a line) or a JSON array. */
  readonly dataFile: string;
  /** How many records to render; default 3. */
  readonly limit?: number;
  /** ANSI colour for a terminal; brackets otherwise. */
  readonly colour?: boolean;
  /** A model folder for the tokenizer (token counts) and special tokens, when `template` is an id. */
  readonly model?: string;
  readonly lossPolicy?: LossPolicy;
  /** The templates ids resolve against; default this package's. */
  readonly templates?: readonly ChatTemplate[];
}

/**
 * The text `tunekit template render` prints: each record rendered through the template, the
 * trained tokens marked, with token counts. Without a tokenizer (an id and no model) the
 * trained characters are marked and counted instead.
 */
export async function renderExamples(opts: RenderExamplesOptions): Promise<string> {
  const { template, context, tokenizer } = await resolve(opts);
  const policy = opts.lossPolicy ?? 'assistant';
  const blocks: string[] = [];
  for (const { where, record } of await readRecords(opts.dataFile, opts.limit ?? 3)) {
    const example = renderRecord(template, record, { where, context });
    let trained: TextRange[];
    let counts: string;
    if (tokenizer === undefined) {
      trained = supervisedRanges(example, policy, where);
      const chars = trained.reduce((sum, r) => sum + r.end - r.start, 0);
      counts = `${example.text.length} characters, ${chars} trained (pass a model folder for token counts)`;
    } else {
      const tokens = tokenizeExample(example, tokenizer, { where, lossPolicy: policy });
      const encoded = tokenizer.encodeWithOffsets(example.text, { addSpecialTokens: true });
      const offsets = encoded.offsets.slice(tokens.doubleBos ? 1 : 0);
      trained = tokens.labels.flatMap((label, i) =>
        label === IGNORE_INDEX ? [] : [{ start: offsets[i][0], end: offsets[i][1] }],
      );
      counts = `${tokens.input_ids.length} tokens, ${tokens.supervisedTokens} trained${tokens.doubleBos ? ', double BOS emitted once' : ''}`;
    }
    const body = highlight(example.text, trained, opts.colour ?? false);
    blocks.push(
      `── ${where} · ${template.id} · ${counts}\n${body}${body.endsWith('\n') ? '' : '\n'}`,
    );
  }
  // A blank line between examples.
  return blocks.join('\n');
}

interface Resolved {
  readonly template: ChatTemplate;
  readonly context: ChatTemplateContext;
  readonly tokenizer?: Tokenizer;
}

async function resolve(opts: RenderExamplesOptions): Promise<Resolved> {
  if (await isFolder(opts.template)) {
    const tokenizer = await Tokenizer.fromFolder(opts.template);
    const context = contextFromTokenizer(tokenizer);
    if (context.chat_template === undefined) {
      throw new UserError(
        `${opts.template}: tokenizer_config.json has no chat_template; pass a template id instead (tunekit template list)`,
      );
    }
    return { template: createJinjaTemplate(context.chat_template), context, tokenizer };
  }
  const templates = opts.templates ?? TEMPLATES;
  const template = templates.find((t) => t.id === opts.template);
  if (template === undefined) {
    const ids = templates.map((t) => t.id).join(', ');
    throw new UserError(
      `unknown chat template '${opts.template}' (and no such model folder); registered: ${ids}`,
    );
  }
  if (opts.model === undefined) return { template, context: {} };
  const tokenizer = await Tokenizer.fromFolder(opts.model);
  return { template, context: contextFromTokenizer(tokenizer), tokenizer };
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
