import { readFileSync } from 'node:fs';
import {
  buildCausalLM,
  byteLevelAlphabet,
  byteLevelBpeJson,
  type ChatMessage,
  type ChatToolDefinition,
  Generator,
  HostTensor,
  ReferenceBackend,
  randomNormal,
  seededRandom,
  Tokenizer,
} from '@tunekit/core';
import { createJinjaTemplate } from '@tunekit/templates';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChatSession } from './chat-session.js';

// `tunekit chat`'s session, in process, on the chat templates of @huggingface/jinja's end-to-end
// cases (packages/templates/test/real-templates, where they are rendered against Python's jinja2).
const fixtures = new URL('../../../templates/test/real-templates/', import.meta.url);
const read = (name: string) => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const cases: { case: string; messages: ChatMessage[]; tools?: unknown[]; text: string }[] =
  read('cases.json');
const MERGES = 4000;
const templates: {
  case: string;
  chat_template: string;
  bos_token?: string;
  eos_token?: string;
  variables?: Record<string, unknown>;
}[] = read('chat-templates.json');

/**
 * A byte-level BPE tokenizer whose merges are learnt from `texts` (the greedy pair merging of
 * BPE training), so that the long system preambles of some templates take a few hundred tokens
 * rather than thousands: the reference backend's attention grows with their square.
 */
function trainedTokenizer(texts: readonly string[], merges: number): Tokenizer {
  const chars = byteLevelAlphabet();
  const encoder = new TextEncoder();
  const pieces = texts.flatMap((text) => text.match(GPT2_SPLIT) ?? []);
  const counts = new Map<string, number>();
  for (const piece of pieces) counts.set(piece, (counts.get(piece) ?? 0) + 1);
  const words = [...counts].map(([piece, n]) => ({
    symbols: [...encoder.encode(piece)].map((b) => chars[b]),
    n,
  }));
  const learnt: string[] = [];
  for (let m = 0; m < merges; m++) {
    const pairs = new Map<string, number>();
    for (const { symbols, n } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const pair = `${symbols[i]} ${symbols[i + 1]}`;
        pairs.set(pair, (pairs.get(pair) ?? 0) + n);
      }
    }
    const best = [...pairs].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0])[0];
    if (best === '') break;
    learnt.push(best);
    const [left, right] = best.split(' ');
    for (const word of words) {
      const next: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (word.symbols[i] === left && word.symbols[i + 1] === right) {
          next.push(left + right);
          i++;
        } else next.push(word.symbols[i]);
      }
      word.symbols = next;
    }
  }
  return Tokenizer.fromFiles({
    tokenizer: byteLevelBpeJson({
      merges: learnt.map((pair) => pair.split(' ') as [string, string]),
      postProcessor: null,
    }),
    config: { clean_up_tokenization_spaces: false },
  });
}

// GPT-2's pre-tokenizer split (what ByteLevel's use_regex applies).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const tokenizer = trainedTokenizer(
  cases.map((c) => (c as { text?: string }).text ?? ''),
  MERGES,
);

// The longest history rendered is 6.5 kB (Command A's reasoning template); each session gets a
// generator sized to its own case, since the cache and attention grow with the positions.
const POSITIONS = 1536;

/**
 * The tools a case offers, as a chat session takes them: its `tools`, or the function schemas of
 * a `functions` message (firefunction-v1's layout, which the session writes from its tools).
 * Command R v01's template reads Cohere's own layout (`parameter_definitions`), not a JSON
 * schema: it gets its tools as a template variable, as `apply_chat_template`'s kwargs pass them.
 */
function sessionTools(c: (typeof cases)[number]) {
  const functions = c.messages.find((m) => (m.role as string) === 'functions')?.content;
  const tools: unknown[] =
    c.tools ??
    (typeof functions === 'string'
      ? JSON.parse(functions).map((fn: unknown) => ({ type: 'function', function: fn }))
      : []);
  if (tools.every((tool) => (tool as { type?: unknown }).type === 'function'))
    return { tools: tools as ChatToolDefinition[] };
  return { variables: { tools } };
}

const { model } = buildCausalLM({
  model_type: 'llama',
  vocab_size: 256 + MERGES,
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 1,
  num_key_value_heads: 1,
  max_position_embeddings: POSITIONS,
});
const random = seededRandom(0);
// Prompts are padded to multiples of 256 tokens, so that few prefill graphs are compiled.
const generator = new Generator(model, new ReferenceBackend(), {
  maxLength: POSITIONS,
  promptBucket: 256,
});
for (const [, p] of model.namedParameters()) {
  p.value = HostTensor.from('f32', p.shape, randomNormal(p.value.size, random));
}

describe("tunekit chat on real models' chat templates", () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 0, 15, 12));
  });
  afterAll(() => {
    vi.useRealTimers();
    generator.dispose();
  });

  /** A session on the case's template that records the texts rendered for it. */
  function session(c: (typeof cases)[number]) {
    const entry = templates.find((t) => t.case === c.case);
    if (entry === undefined) throw new Error(`no template for ${c.case}`);
    const template = createJinjaTemplate(entry.chat_template, { id: c.case });
    const rendered: string[] = [];
    const system = c.messages.find((m) => m.role === 'system')?.content;
    const chat = new ChatSession({
      generator,
      tokenizer,
      template: {
        ...template,
        // Inference needs the text alone: the renderer that looks for loss spans is never used.
        render: () => {
          throw new Error('chat rendered through the training renderer');
        },
        renderText: (messages, opts) => {
          const text = template.renderText?.(messages, opts) ?? '';
          rendered.push(text);
          return text;
        },
      },
      context: { bos_token: entry.bos_token, eos_token: entry.eos_token },
      system: typeof system === 'string' ? system : undefined,
      ...sessionTools(c),
      generationConfig: { max_new_tokens: 2, do_sample: false, eos_token_id: [] },
      historyTokens: POSITIONS - 2,
      seed: 0,
    });
    return { chat, rendered };
  }

  const questions = ['What is the capital of Norway?', 'And how many people live there?'];

  it.each(cases)('$case: answers two turns', async (c) => {
    const { chat, rendered } = session(c);
    let written = '';
    const write = (text: string) => {
      written += text;
    };
    const first = await chat.reply(questions[0], write);
    const second = await chat.reply(questions[1], write);
    expect(written).toBe(first + second);
    // the second prompt holds the whole conversation: both questions and the first answer
    const last = rendered.at(-1) ?? '';
    for (const text of [...questions, first.trim()]) expect(last).toContain(text);
    // and the tools the case offers, where the template writes them (Command A's sets none)
    const tool = 'Current weather for a city';
    if (c.text.includes(tool)) expect(last).toContain(tool);
  });
});
