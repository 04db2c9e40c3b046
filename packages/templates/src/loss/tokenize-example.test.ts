import type { ChatMessage, ChatTemplate, Tokenizer } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { byteTokenizer, chatmlTokenizer, llama3Tokenizer } from '../../test/byte-tokenizer.js';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import { chatml, llama3 } from '../builtins/index.js';
import { contextFromTokenizer } from '../context.js';
import { jinja } from '../jinja/index.js';
import type { RenderedExample } from '../records/index.js';
import { IGNORE_INDEX, type TokenizedExample, tokenizeExample } from './tokenize-example.js';

const conversation: ChatMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Name a colour.' },
  { role: 'assistant', content: 'Blue.' },
  { role: 'user', content: 'Another? 🙂' },
  { role: 'assistant', content: 'Red,\nor grün.' },
];

function render(
  template: ChatTemplate,
  tokenizer: Tokenizer,
  messages = conversation,
): RenderedExample {
  const rendered = template.render(messages, { context: contextFromTokenizer(tokenizer) });
  return { ...rendered, source: 'conversation' };
}

/** The text of each run of consecutive trained tokens. */
function trainedRuns(tokenizer: Tokenizer, example: TokenizedExample): string[] {
  const runs: number[][] = [];
  example.labels.forEach((label, i) => {
    if (label === IGNORE_INDEX) return;
    expect(label).toBe(example.input_ids[i]);
    if (i > 0 && example.labels[i - 1] !== IGNORE_INDEX) runs[runs.length - 1].push(label);
    else runs.push([label]);
  });
  return runs.map((ids) => tokenizer.decode(ids));
}

describe('tokenizeExample loss masks', () => {
  it('chatml trains exactly the assistant contents and their <|im_end|>', () => {
    const tokenizer = chatmlTokenizer();
    const tokens = tokenizeExample(render(chatml, tokenizer), tokenizer, { where: 'r1' });
    expect(trainedRuns(tokenizer, tokens)).toEqual(['Blue.<|im_end|>', 'Red,\nor grün.<|im_end|>']);
    expect(tokens.attention_mask.every((m) => m === 1)).toBe(true);
  });

  it('llama3 trains exactly the assistant contents and their <|eot_id|>', () => {
    const tokenizer = llama3Tokenizer();
    const tokens = tokenizeExample(render(llama3, tokenizer), tokenizer, { where: 'r1' });
    expect(trainedRuns(tokenizer, tokens)).toEqual(['Blue.<|eot_id|>', 'Red,\nor grün.<|eot_id|>']);
  });

  it("a model's own Jinja template (Qwen2.5) trains exactly the assistant contents and <|im_end|>", () => {
    const tokenizer = byteTokenizer({
      special: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
      eos_token: '<|im_end|>',
      chat_template: QWEN25_TEMPLATE,
    });
    const example = render(jinja, tokenizer);
    expect(example.text.startsWith('<|im_start|>system\nBe brief.<|im_end|>\n')).toBe(true);
    const tokens = tokenizeExample(example, tokenizer, { where: 'r1' });
    expect(trainedRuns(tokenizer, tokens)).toEqual(['Blue.<|im_end|>', 'Red,\nor grün.<|im_end|>']);
  });

  it('last_assistant trains only the final answer, all trains every token', () => {
    const tokenizer = chatmlTokenizer();
    const example = render(chatml, tokenizer);
    const last = tokenizeExample(example, tokenizer, { where: 'r1', lossPolicy: 'last_assistant' });
    expect(trainedRuns(tokenizer, last)).toEqual(['Red,\nor grün.<|im_end|>']);
    const all = tokenizeExample(example, tokenizer, { where: 'r1', lossPolicy: 'all' });
    expect(all.supervisedTokens).toBe(all.input_ids.length);
  });

  it('completion_only trains the completion of a completion record and refuses a conversation', () => {
    const tokenizer = chatmlTokenizer();
    const completion = {
      ...render(chatml, tokenizer, conversation.slice(1, 3)),
      source: 'completion' as const,
    };
    const tokens = tokenizeExample(completion, tokenizer, {
      where: 'r1',
      lossPolicy: 'completion_only',
    });
    expect(trainedRuns(tokenizer, tokens)).toEqual(['Blue.<|im_end|>']);
    expect(() =>
      tokenizeExample(render(chatml, tokenizer), tokenizer, {
        where: 'data.jsonl:4',
        lossPolicy: 'completion_only',
      }),
    ).toThrow(/^data\.jsonl:4: loss policy 'completion_only' .* this record is a conversation/);
  });

  it('truncation cuts the end and counts what it cut', () => {
    const tokenizer = chatmlTokenizer();
    const full = tokenizeExample(render(chatml, tokenizer), tokenizer, { where: 'r1' });
    const cut = tokenizeExample(render(chatml, tokenizer), tokenizer, {
      where: 'r1',
      maxLength: 10,
    });
    expect(cut.input_ids).toEqual(full.input_ids.slice(0, 10));
    expect(cut.truncatedTokens).toBe(full.input_ids.length - 10);
    expect(cut.supervisedTokens).toBe(0);
  });
});

describe('tokenizeExample BOS', () => {
  it('emits one BOS when both the template and the tokenizer add it', () => {
    const tokenizer = llama3Tokenizer();
    const bos = tokenizer.bosTokenId as number;
    const example = render(llama3, tokenizer);
    expect(example.text.startsWith('<|begin_of_text|>')).toBe(true);
    expect(tokenizer.encode(example.text).slice(0, 2)).toEqual([bos, bos]);
    const tokens = tokenizeExample(example, tokenizer, { where: 'r1' });
    expect(tokens.doubleBos).toBe(true);
    expect(tokens.input_ids[0]).toBe(bos);
    expect(tokens.input_ids[1]).not.toBe(bos);
  });

  it("keeps the tokenizer's BOS when the template writes none", () => {
    const tokenizer = llama3Tokenizer();
    const example = render(chatml, tokenizer, conversation.slice(1, 3));
    const tokens = tokenizeExample(example, tokenizer, { where: 'r1' });
    expect(tokens.doubleBos).toBe(false);
    expect(tokens.input_ids[0]).toBe(tokenizer.bosTokenId);
    expect(tokens.labels[0]).toBe(IGNORE_INDEX);
  });
});
