import type { ChatMessage, ChatToolDefinition } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJinjaTemplate, renderText, withSystem } from '../src/index.js';
import cases from './real-templates/cases.json' with { type: 'json' };
import templates from './real-templates/chat-templates.json' with { type: 'json' };

// The chat templates of the models @huggingface/jinja's end-to-end cases name (huggingface.js
// packages/jinja/test/e2e.test.js), each rendered for a conversation of ours with two assistant
// turns; the expected texts come from Python's jinja2 as transformers renders
// (scripts/render-real-templates.py, which says how to re-run it).

/**
 * What each assistant span holds besides the answer as the template writes it: the end-of-turn
 * text after it (one for every turn, or one per turn), and text before it that the model writes
 * after the generation prompt or that the template's {% generation %} block takes in (whitespace
 * before an answer is always allowed). Checked by eye against each template.
 */
const SPANS: Record<string, { readonly lead?: string; readonly eot: string | readonly string[] }> =
  {
    _base: { eot: '<|im_end|>' },
    blenderbot: { eot: ['', '</s>'] },
    blenderbot_small: { eot: ['', '</s>'] },
    bloom: { eot: '</s>' },
    gpt_neox: { eot: '<|endoftext|>' },
    gpt2: { eot: '<|endoftext|>' },
    llama: { eot: ' </s>' },
    whisper: { eot: '<|endoftext|>' },
    'HuggingFaceH4/zephyr-7b-beta (add_generation_prompt=false)': { eot: '</s>' },
    'HuggingFaceH4/zephyr-7b-beta (add_generation_prompt=true)': { eot: '</s>' },
    'HuggingFaceH4/zephyr-7b-gemma-v0.1': { eot: '<|im_end|>' },
    'TheBloke/Mistral-7B-Instruct-v0.1-GPTQ': { eot: '</s>' },
    'mistralai/Mixtral-8x7B-Instruct-v0.1': { eot: '</s>' },
    'cognitivecomputations/dolphin-2.5-mixtral-8x7b': { eot: '<|im_end|>' },
    'openchat/openchat-3.5-0106': { eot: '<|end_of_turn|>' },
    'upstage/SOLAR-10.7B-Instruct-v1.0': { eot: '' },
    'codellama/CodeLlama-70b-Instruct-hf': { eot: ' <step>' },
    'Deci/DeciLM-7B-instruct': { eot: '' },
    'Qwen/Qwen1.5-72B-Chat': { eot: '' },
    'deepseek-ai/deepseek-llm-7b-chat': { eot: '<｜end▁of▁sentence｜>' },
    'h2oai/h2o-danube-1.8b-chat': { eot: '</s>' },
    'internlm/internlm2-chat-7b': { eot: '<|im_end|>' },
    'TheBloke/deepseek-coder-33B-instruct-AWQ': { eot: '\n<|EOT|>' },
    'ericzzz/falcon-rw-1b-chat': { eot: '<|endoftext|>' },
    'abacusai/Smaug-34B-v0.1': { eot: ' </s>' },
    'maywell/Synatra-Mixtral-8x7B': { eot: '' },
    'deepseek-ai/deepseek-coder-33b-instruct': { eot: '\n<|EOT|>' },
    'meetkai/functionary-medium-v2.2': { lead: 'all\n<|content|>', eot: '<|stop|>' },
    'fireworks-ai/firefunction-v1': { lead: '<plain>', eot: '</s>' },
    'maywell/PiVoT-MoE': { eot: '' },
    'CohereForAI/c4ai-command-r-v01': { eot: '<|END_OF_TURN_TOKEN|>' },
    'CohereForAI/c4ai-command-r-v01 (JSON Schema)': { eot: '<|END_OF_TURN_TOKEN|>' },
    'mistralai/Mistral-7B-Instruct-v0.3 (JSON Schema)': { eot: ' </s>' },
    'CISCai/Mistral-7B-Instruct-v0.3-SOTA-GGUF': { eot: '</s>' },
    'NousResearch/Hermes-2-Pro-Llama-3-8B (JSON Schema)': { eot: '<|im_end|>' },
    'mistralai/Mistral-Nemo-Instruct-2407': { eot: '</s>' },
    'meta-llama/Llama-3.1-8B-Instruct': { eot: '<|eot_id|>' },
    'deepseek-ai/DeepSeek-R1': { eot: '<｜end▁of▁sentence｜>' },
    'MadeAgents/Hammer2.1': { eot: '<|im_end|>' },
    'Qwen/Qwen2.5-7B-Instruct': { eot: '<|im_end|>' },
    'Qwen/Qwen2.5-VL-7B-Instruct': { eot: '<|im_end|>' },
    'Qwen/Qwen3-0.6B': { eot: '<|im_end|>' },
    'Qwen/Qwen3.5-4B': { eot: '<|im_end|>' },
    'CohereLabs/c4ai-command-a-03-2025': {
      lead: '<|START_RESPONSE|>',
      eot: '<|END_RESPONSE|><|END_OF_TURN_TOKEN|>',
    },
    'openbmb/MiniCPM3-4B': { eot: '<|im_end|>' },
    'ai21labs/AI21-Jamba-Large-1.6': { eot: '<|eom|>' },
    'meta-llama/Llama-3.2-11B-Vision-Instruct': { eot: '<|eot_id|>' },
    'meta-llama/Llama-Guard-3-11B-Vision': { eot: '' },
    'HuggingFaceTB/SmolLM3-3B': { lead: '<|im_start|>assistant\n', eot: '<|im_end|>\n' },
    'CohereLabs/command-a-reasoning-08-2025': {
      lead: '<|START_RESPONSE|>',
      eot: '<|END_RESPONSE|><|END_OF_TURN_TOKEN|>',
    },
    'moonshotai/Kimi-K2-Thinking': { lead: '<think></think>', eot: '<|im_end|>' },
    'LiquidAI/LFM2.5-VL-450M': { eot: '<|im_end|>\n' },
    'zai-org/GLM-5.1': { lead: '\nOslo has about 700,000 inhabitants.\n</think>', eot: '' },
  };

type Case = (typeof cases)[number] & { readonly tools?: readonly ChatToolDefinition[] };

/** The text of a content: a string, or its text parts. */
const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : (content as { text?: string }[]).map((part) => part.text ?? '').join('');

/** The answer as the template writes it: whole, or without the reasoning it drops from earlier turns. */
const written = (span: string, content: string): string =>
  span.includes(content) ? content : content.slice(content.lastIndexOf('</think>') + 8).trimStart();

describe("real models' chat templates (@huggingface/jinja's end-to-end cases)", () => {
  // strftime_now reads the clock; the expected texts were rendered at this instant.
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(2026, 0, 15, 12));
  });
  afterAll(() => vi.useRealTimers());

  it('covers every case', () => {
    expect(cases).toHaveLength(53);
    expect(Object.keys(SPANS).sort()).toEqual(cases.map((c) => c.case).sort());
  });

  it.each(cases as Case[])('$case: renders as transformers does, with a span per answer', (c) => {
    const entry = templates.find((t) => t.case === c.case) as {
      chat_template: string;
      bos_token?: string;
      eos_token?: string;
      variables?: Record<string, unknown>;
    };
    const template = createJinjaTemplate(entry.chat_template, { id: c.case });
    const opts = {
      context: { bos_token: entry.bos_token, eos_token: entry.eos_token },
      tools: c.tools,
      variables: entry.variables,
    };
    const messages = c.messages as ChatMessage[];
    const rendered = template.render(messages, opts);
    expect(rendered.text).toBe(c.text);
    const prompt = renderText(template, messages.slice(0, -1), {
      ...opts,
      addGenerationPrompt: true,
    });
    expect(prompt).toBe(c.prompt);

    const answers = messages.filter((m) => m.role === 'assistant');
    expect(rendered.spans).toHaveLength(answers.length);
    const { lead, eot } = SPANS[c.case];
    const others = messages.filter((m) => m.role !== 'assistant').map((m) => textOf(m.content));
    rendered.spans.forEach((span, i) => {
      expect(span.role).toBe('assistant');
      const text = rendered.text.slice(span.start, span.end);
      for (const other of others) expect(text).not.toContain(other);
      const content = textOf(answers[i].content);
      if (content === '') {
        // a tool call: the call as the template writes it
        expect(text).toContain('get_weather');
        return;
      }
      const answer = written(text, content);
      const before = text.slice(0, text.indexOf(answer));
      expect(before === '' || /^\s+$/.test(before) || before === lead).toBe(true);
      expect(text.slice(before.length)).toBe(answer + (typeof eot === 'string' ? eot : eot[i]));
    });
  });

  /** The case's template, as a ChatTemplate, and its special tokens. */
  const templateOf = (name: string) => {
    const entry = templates.find((t) => t.case === name) as {
      chat_template: string;
      bos_token?: string;
      eos_token?: string;
    };
    const context = { bos_token: entry.bos_token, eos_token: entry.eos_token };
    return { template: createJinjaTemplate(entry.chat_template, { id: name }), context };
  };
  const caseNamed = (name: string) => cases.find((c) => c.case === name) as Case;

  it.each(['meta-llama/Llama-3.2-11B-Vision-Instruct', 'meta-llama/Llama-Guard-3-11B-Vision'])(
    '%s: renders text content as the text parts it loops over',
    (name) => {
      const c = caseNamed(name);
      const { template, context } = templateOf(name);
      const asText = (c.messages as ChatMessage[]).map((m) => ({
        ...m,
        content: textOf(m.content),
      }));
      expect(template.render(asText, { context }).text).toBe(c.text);
    },
  );

  it('fireworks-ai/firefunction-v1: gets tools as the functions message its model card writes', () => {
    const name = 'fireworks-ai/firefunction-v1';
    const c = caseNamed(name);
    const { template, context } = templateOf(name);
    const functions = c.messages.find((m) => (m.role as string) === 'functions');
    const rest = (c.messages as ChatMessage[]).filter((m) => m.role !== 'functions');
    const tools = JSON.parse(String(functions?.content)).map((fn: object) => ({
      type: 'function' as const,
      function: fn as ChatToolDefinition['function'],
    }));
    const composed = withSystem(rest, { tools }, template, context);
    expect(composed.tools).toBeUndefined();
    expect(template.render(composed.messages, { context }).text).toBe(c.text);
  });
});
