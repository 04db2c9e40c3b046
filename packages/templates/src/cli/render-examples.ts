import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type ChatTemplate,
  type ChatTemplateContext,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  Tokenizer,
  UserError,
} from '@tunekit/core';
import { contextFromTokenizer } from '../context.js';
import {
  createJinjaTemplate,
  isTemplateFile,
  readTemplateFile,
  SpanError,
} from '../jinja/index.js';
import {
  IGNORE_INDEX,
  type LossPolicy,
  supervisedRanges,
  type TextRange,
  tokenizeExample,
} from '../loss/index.js';
import { TEMPLATES } from '../plugin.js';
import { type RenderedExample, type RenderRecordOptions, renderRecord } from '../records/index.js';
import { highlight } from './highlight.js';
import { readRecords } from './read-records.js';

export interface RenderExamplesOptions {
  /**
   * A template id, a `.jinja` file, a tokenizer_config.json, or a folder whose tokenizer_config.json
   * has a chat_template (with tokenizer.json beside it, its tokenizer counts tokens).
   */
  readonly template: string;
  /** JSONL (one record a line) or a JSON array. */
  readonly dataFile: string;
  /** How many records to render; default 3. */
  readonly limit?: number;
  /** ANSI colour for a terminal; brackets otherwise. */
  readonly colour?: boolean;
  /** A folder with tokenizer.json (or that file), for token counts and special tokens; no weights needed. */
  readonly model?: string;
  /** Ends each conversation with the template's generation prompt (transformers' add_generation_prompt). */
  readonly addGenerationPrompt?: boolean;
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
    const { example, unmarked } = renderOrShow(template, record, {
      where,
      context,
      addGenerationPrompt: opts.addGenerationPrompt,
    });
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
    const note = unmarked === undefined ? '' : `(nothing marked: ${unmarked})\n`;
    blocks.push(
      `── ${where} · ${template.id} · ${counts}\n${note}${body}${body.endsWith('\n') ? '' : '\n'}`,
    );
  }
  // A blank line between examples.
  return blocks.join('\n');
}

/** The record rendered with its spans, or, when they cannot be found, its text and why not. */
function renderOrShow(
  template: ChatTemplate,
  record: unknown,
  opts: RenderRecordOptions,
): { example: RenderedExample; unmarked?: string } {
  try {
    return { example: renderRecord(template, record, opts) };
  } catch (error) {
    if (!(error instanceof UserError) || !(error.cause instanceof SpanError)) throw error;
    return {
      example: renderRecord(template, record, { ...opts, textOnly: true }),
      unmarked: error.message,
    };
  }
}

interface Resolved {
  readonly template: ChatTemplate;
  readonly context: ChatTemplateContext;
  readonly tokenizer?: Tokenizer;
}

async function resolve(opts: RenderExamplesOptions): Promise<Resolved> {
  const given =
    opts.model === undefined ? undefined : await Tokenizer.fromFolder(tokenizerDir(opts.model));
  if (isTemplateFile(opts.template)) return fromFile(opts.template, given);
  if (await isFolder(opts.template)) {
    // a folder without tokenizer.json still has its chat_template in tokenizer_config.json
    if (!existsSync(join(opts.template, TOKENIZER_FILE)))
      return fromFile(join(opts.template, TOKENIZER_CONFIG_FILE), given);
    const own = await Tokenizer.fromFolder(opts.template);
    const context = contextFromTokenizer(own);
    if (context.chat_template === undefined) {
      throw new UserError(
        `${opts.template}: tokenizer_config.json has no chat_template; pass a template id instead (tunekit template list)`,
      );
    }
    const tokenizer = given ?? own;
    return { template: createJinjaTemplate(context.chat_template), context, tokenizer };
  }
  const templates = opts.templates ?? TEMPLATES;
  const template = templates.find((t) => t.id === opts.template);
  if (template === undefined) {
    const ids = templates.map((t) => t.id).join(', ');
    throw new UserError(
      `unknown chat template '${opts.template}' (and no such model folder or template file); registered: ${ids}`,
    );
  }
  return { template, context: given ? contextFromTokenizer(given) : {}, tokenizer: given };
}

/** A template file's template; special tokens from the tokenizer when one is given, else the file's. */
async function fromFile(path: string, tokenizer?: Tokenizer): Promise<Resolved> {
  const file = await readTemplateFile(path);
  const context = tokenizer ? contextFromTokenizer(tokenizer) : file.context;
  return { template: file.template, context, tokenizer };
}

/** `--model` names a folder, or its tokenizer.json. */
function tokenizerDir(path: string): string {
  return path.endsWith('.json') ? dirname(path) : path;
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
