import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tokenizer } from '@tunekit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Example, loadSftData, type SftDataConfigInput } from '../src/index.js';
import {
  chatmlTokenizer,
  DATA,
  dataContainer,
  dataFolder,
  jsonl,
  TOKENIZER_DIR,
  toolTokenizer,
} from './data-helpers.js';

let chatml: Tokenizer;
let tools: Tokenizer;
beforeAll(async () => {
  chatml = await chatmlTokenizer();
  tools = await toolTokenizer();
});

const load = (config: SftDataConfigInput, tokenizer = chatml, baseDir = DATA) =>
  loadSftData(config, { container: dataContainer(), tokenizer, baseDir });

/** The text of an example, and the text of its tokens that carry loss (joined where they run on). */
function decoded(tokenizer: Tokenizer, example: Example): { text: string; trained: string[] } {
  const text = tokenizer.decode(Array.from(example.input_ids));
  const trained: string[] = [];
  let run: number[] = [];
  example.labels.forEach((label, i) => {
    if (label !== -100) run.push(example.input_ids[i]);
    if ((label === -100 || i === example.labels.length - 1) && run.length > 0) {
      trained.push(tokenizer.decode(run));
      run = [];
    }
  });
  return { text, trained };
}

describe('the seven record shapes load from fixture files', () => {
  it('text: trained whole, with the end-of-text token', async () => {
    const data = await load({ train: 'text.jsonl', template: 'chatml' });
    expect(data.stats.sources).toEqual([
      { files: ['text.jsonl'], format: 'text', weight: 1, examples: 3 },
    ]);
    expect(data.trainExamples.map((e) => e.where)).toEqual([
      'text.jsonl:1',
      'text.jsonl:2',
      'text.jsonl:4',
    ]);
    expect(decoded(chatml, data.trainExamples[0])).toEqual({
      text: 'The cat sat on the mat.<|im_end|>',
      trained: ['The cat sat on the mat.<|im_end|>'],
    });
  });

  it('prompt/completion: the loss on the completion only', async () => {
    const data = await load({ train: 'prompt-completion.jsonl', template: 'chatml' });
    expect(data.stats.sources[0].format).toBe('prompt_completion');
    expect(decoded(chatml, data.trainExamples[1])).toEqual({
      text: '<|im_start|>system\nAnswer in one word.<|im_end|>\n<|im_start|>user\nCapital of Italy?<|im_end|>\n<|im_start|>assistant\nRome.<|im_end|>\n',
      trained: ['Rome.<|im_end|>'],
    });
  });

  it('Alpaca as a JSON array, through the Alpaca template, input in its own section', async () => {
    const data = await load({ train: 'alpaca.json', template: 'alpaca' });
    expect(data.stats.sources[0]).toMatchObject({ format: 'alpaca', examples: 3 });
    expect(data.trainExamples.map((e) => e.where)).toEqual([
      'alpaca.json:2 (record 1)',
      'alpaca.json:7 (record 2)',
      'alpaca.json:8 (record 3)',
    ]);
    const { text, trained } = decoded(chatml, data.trainExamples[0]);
    expect(text).toContain(
      '### Instruction:\nTranslate to French.\n\n### Input:\nGood morning\n\n### Response:',
    );
    expect(trained.join('')).toContain('Bonjour');
  });

  it('Alpaca with system and history: earlier turns before the instruction', async () => {
    const data = await load({ train: 'alpaca-history.jsonl', template: 'chatml' });
    const { text, trained } = decoded(chatml, data.trainExamples[0]);
    expect(text).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\nParis.<|im_end|>\n<|im_start|>user\nAnd Italy?<|im_end|>\n<|im_start|>assistant\nRome.<|im_end|>\n<|im_start|>user\nAnd Germany?<|im_end|>\n<|im_start|>assistant\nBerlin.<|im_end|>\n',
    );
    expect(trained).toEqual(['Paris.<|im_end|>', 'Rome.<|im_end|>', 'Berlin.<|im_end|>']);
  });

  it('messages with tools and tool_calls, through a template that renders them', async () => {
    const data = await load({ train: 'messages.jsonl' }, tools);
    expect(data.template.id).toBe('jinja');
    expect(data.stats.sources[0].format).toBe('messages');
    const { text, trained } = decoded(tools, data.trainExamples[1]);
    expect(text).toContain('Tools: [{"type": "function", "function": {"name": "get_weather"');
    expect(trained).toEqual([
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call><|im_end|>',
      'It is 21 degrees.<|im_end|>',
    ]);
  });

  it('ShareGPT: speakers mapped, a function_call trained as a tool call, the observation a tool turn', async () => {
    const data = await load({ train: 'sharegpt.jsonl' }, tools);
    expect(data.stats.sources[0].format).toBe('sharegpt');
    const { text, trained } = decoded(tools, data.trainExamples[1]);
    expect(text).toContain('<|im_start|>tool\n{"temp": 25}<|im_end|>');
    expect(trained).toEqual([
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Rome"}}</tool_call><|im_end|>',
      '25 degrees.<|im_end|>',
    ]);
    expect(decoded(tools, data.trainExamples[0]).text).toMatch(
      /^<\|im_start\|>system\nYou are kind\./,
    );
  });

  it('preference pairs load and validate, and supervised fine-tuning refuses them clearly', async () => {
    await expect(load({ train: 'preference.jsonl' })).rejects.toThrow(
      "preference.jsonl:1: the records are preference pairs (prompt/chosen/rejected) (format 'preference'), which are for preference training; this run does sft training, of the formats text, prompt_completion, alpaca, messages, sharegpt",
    );
  });
});

describe('formats per source', () => {
  it('detects each source on its own and mixes them by weight', async () => {
    const data = await load({
      train: [
        'prompt-completion.jsonl',
        { path: 'alpaca.json', weight: 2 },
        { path: 'text.jsonl', weight: 1 / 3 },
      ],
      template: 'chatml',
    });
    expect(data.stats.sources.map((s) => s.format)).toEqual([
      'prompt_completion',
      'alpaca',
      'text',
    ]);
    expect(data.stats.examplesPerEpoch).toBe(3 + 6 + 1);
    for (const epoch of [0, 1, 2]) {
      const seen = [...data.train(epoch)].flatMap((b) => b.examples);
      const count = (where: string) =>
        seen.filter((id) => data.trainExamples[id].where.startsWith(where)).length;
      expect([count('prompt-completion'), count('alpaca'), count('text')]).toEqual([3, 6, 1]);
    }
  });

  it('takes an explicit format over detection', async () => {
    const dir = await dataFolder({
      'd.jsonl': jsonl([{ instruction: 'Say hi.', output: 'Hi', text: 'Say hi. Hi' }]),
    });
    const detected = await load({ train: 'd.jsonl', template: 'chatml' }, chatml, dir);
    expect(detected.stats.sources[0].format).toBe('alpaca');
    const named = await load(
      { train: { path: 'd.jsonl', format: 'text' }, template: 'chatml' },
      chatml,
      dir,
    );
    expect(named.stats.sources[0].format).toBe('text');
    expect(decoded(chatml, named.trainExamples[0]).text).toBe('Say hi. Hi<|im_end|>');
    await expect(load({ train: 'd.jsonl', format: 'csv' }, chatml, dir)).rejects.toThrow(
      "unknown dataset format 'csv'; registered: alpaca, hh_rlhf, messages, preference, prompt_completion, sharegpt, sharegpt_preference, text",
    );
  });

  it('requires every record of a source to have the format its first record set', async () => {
    const dir = await dataFolder({
      'd.jsonl': jsonl([{ text: 'a' }, { instruction: 'b', output: 'c' }]),
    });
    await expect(load({ train: 'd.jsonl' }, chatml, dir)).rejects.toThrow(
      'd.jsonl:2: the record is not plain text (text), the format d.jsonl:1 set for this source (it has fields instruction, output); all records of a source have one format',
    );
  });

  it('reads several files and globs as one source', async () => {
    const dir = await dataFolder({
      'part-1.jsonl': jsonl([{ text: 'one' }]),
      'part-2.jsonl': jsonl([{ text: 'two' }]),
      'extra.jsonl': jsonl([{ text: 'three' }]),
    });
    const data = await load({ train: { path: ['part-*.jsonl', 'extra.jsonl'] } }, chatml, dir);
    expect(data.stats.sources[0].files).toEqual(['part-1.jsonl', 'part-2.jsonl', 'extra.jsonl']);
    expect(data.stats.examples).toBe(3);
  });
});

describe('skip_invalid', () => {
  it('skips and counts invalid records, reporting them', async () => {
    const dir = await dataFolder({
      'd.jsonl': ['{"text": "a"}', '{"text": ', '{"text": 3}', '{"text": "b"}'].join('\n'),
    });
    await expect(load({ train: 'd.jsonl' }, chatml, dir)).rejects.toThrow(
      /^d\.jsonl:2: not valid JSON/,
    );
    const data = await load({ train: 'd.jsonl', skip_invalid: true }, chatml, dir);
    expect(data.stats).toMatchObject({ examples: 2, skipped: 2 });
    expect(data.stats.warnings[0]).toMatch(
      /^2 invalid records skipped \(skip_invalid\): d\.jsonl:2: not valid JSON .*; d\.jsonl:3: text: Invalid input: expected string, received number$/,
    );
  });
});

describe('evaluation data', () => {
  const many = jsonl(
    Array.from({ length: 20 }, (_, i) => ({ prompt: `Q${i}?`, completion: `A${i}.` })),
  );

  it('holds out eval_split of each source with the seed, the same for the same seed', async () => {
    const dir = await dataFolder({ 'd.jsonl': many });
    const split = async (seed: number) => {
      const data = await load(
        { train: 'd.jsonl', eval_split: 0.25, seed, template: 'chatml' },
        chatml,
        dir,
      );
      return {
        train: data.trainExamples.map((e) => e.where),
        eval: data.evalExamples.map((e) => e.where),
      };
    };
    const a = await split(1);
    expect([a.train.length, a.eval.length]).toEqual([15, 5]);
    expect(a.train.filter((w) => a.eval.includes(w))).toEqual([]);
    expect(await split(1)).toEqual(a);
    expect((await split(2)).eval).not.toEqual(a.eval);
  });

  it('reads a separate eval file, with prompts to generate from and their references', async () => {
    const data = await load({
      train: 'text.jsonl',
      eval: 'prompt-completion.jsonl',
      template: 'chatml',
    });
    expect(data.stats.evalExamples).toBe(3);
    expect(data.eval?.length).toBe(1);
    expect(data.evalPrompts[0]).toEqual({
      where: 'prompt-completion.jsonl:1',
      prompt: '<|im_start|>user\nCapital of France?<|im_end|>\n<|im_start|>assistant\n',
      reference: 'Paris.',
      message: 'Capital of France?',
    });
  });

  it('refuses eval and eval_split together', async () => {
    await expect(
      load({ train: 'text.jsonl', eval: 'text.jsonl', eval_split: 0.1 }),
    ).rejects.toThrow(
      'data config: eval_split: set eval (a separate file) or eval_split (a held-out fraction), not both',
    );
  });
});

describe('the data fingerprint', () => {
  it('changes with file contents, template and settings, not with where the files are', async () => {
    const records = [{ text: 'a' }, { text: 'b' }];
    const dir = await dataFolder({ 'd.jsonl': jsonl(records) });
    const print = async (config: Partial<SftDataConfigInput> = {}, at = dir) =>
      (await load({ train: 'd.jsonl', template: 'chatml', ...config }, chatml, at)).stats
        .fingerprint;
    const base = await print();
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await print()).toBe(base);
    const moved = await dataFolder({});
    await cp(join(dir, 'd.jsonl'), join(moved, 'd.jsonl'));
    expect(await print({}, moved)).toBe(base);
    expect(await print({ template: 'zephyr' })).not.toBe(base);
    expect(await print({ max_length: 512 })).not.toBe(base);
    await writeFile(join(moved, 'd.jsonl'), jsonl([{ text: 'a' }, { text: 'c' }]));
    expect(await print({}, moved)).not.toBe(base);
  });

  it('hashes the tokenizer files when their folder is given', async () => {
    const container = dataContainer();
    const config = { train: 'text.jsonl', template: 'chatml' };
    const inMemory = await loadSftData(config, { container, tokenizer: chatml, baseDir: DATA });
    const files = await loadSftData(config, {
      container,
      tokenizer: chatml,
      baseDir: DATA,
      tokenizerDir: TOKENIZER_DIR,
    });
    expect(files.stats.fingerprint).not.toBe(inMemory.stats.fingerprint);
    const other = await loadSftData(config, { container, tokenizer: tools, baseDir: DATA });
    expect(other.stats.fingerprint).not.toBe(inMemory.stats.fingerprint);
  });
});

describe('epochs', () => {
  it('give every example once, in a seeded order: the same epoch the same batches', async () => {
    const dir = await dataFolder({
      'd.jsonl': jsonl(
        Array.from({ length: 30 }, (_, i) => ({ text: `line ${i} ${'x'.repeat(i)}` })),
      ),
    });
    const data = await load({ train: 'd.jsonl', per_device_train_batch_size: 4 }, chatml, dir);
    const order = (epoch: number) => [...data.train(epoch)].map((b) => b.examples);
    expect(
      order(0)
        .flat()
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(order(0)).toEqual(order(0));
    expect(order(1)).not.toEqual(order(0));
    const plan = data.train(3);
    expect(plan.batch(plan.length - 1)).toEqual([...plan].at(-1));
    expect(() => data.train(-1)).toThrow(RangeError);
  });

  it('leave out examples with no token that carries loss, and fail when none has one', async () => {
    const long = { prompt: 'A long question. '.repeat(8), completion: 'Yes.' };
    const dir = await dataFolder({
      'd.jsonl': jsonl([long, { prompt: 'Short?', completion: 'Yes.' }]),
      'none.jsonl': jsonl([long]),
    });
    const config = { train: 'd.jsonl', max_length: 32, template: 'chatml' };
    const data = await load(config, chatml, dir);
    expect(data.stats).toMatchObject({ examples: 1, unsupervised: 1, truncated: 1 });
    expect(data.stats.warnings).toContain(
      '1 examples have no token that carries loss and are left out: d.jsonl:1',
    );
    await expect(load({ ...config, train: 'none.jsonl' }, chatml, dir)).rejects.toThrow(
      /^no example has a supervised token: template 'chatml' \(sha256 [0-9a-f]{12}\) with loss policy 'assistant' leaves every label at -100 in all 1 examples \(first records: none\.jsonl:1\)/,
    );
  });
});

describe('template: a path to another model’s chat template', () => {
  const turns =
    '{% for m in messages %}### {{ m.role }}: {{ m.content }}{{ eos_token }}\n{% endfor %}';
  const record = {
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ],
  };

  it('reads a .jinja file, relative to the config file’s folder, as the template text', async () => {
    const dir = await dataFolder({ 'd.jsonl': jsonl([record]), 'turns.jinja': turns });
    const data = await load({ train: 'd.jsonl', template: 'turns.jinja' }, chatml, dir);
    expect(data.template.chat_template).toBe(turns);
    const { text, trained } = decoded(chatml, data.trainExamples[0]);
    expect(text).toBe('### user: Hi<|im_end|>\n### assistant: Hello<|im_end|>\n');
    expect(trained.join('')).toContain('Hello<|im_end|>');
  });

  it('takes chat_template from a tokenizer_config.json, a string or the default of named ones', async () => {
    const named = [
      { name: 'default', template: turns },
      { name: 'tool_use', template: '{{ tools }}' },
    ];
    const dir = await dataFolder({
      'd.jsonl': jsonl([record]),
      'tokenizer_config.json': JSON.stringify({ chat_template: named }),
      'chat_template.json': JSON.stringify({ chat_template: turns }),
    });
    for (const file of ['tokenizer_config.json', 'chat_template.json']) {
      const data = await load({ train: 'd.jsonl', template: file }, chatml, dir);
      expect(data.template.chat_template).toBe(turns);
      expect(decoded(chatml, data.trainExamples[0]).text).toBe(
        '### user: Hi<|im_end|>\n### assistant: Hello<|im_end|>\n',
      );
    }
  });

  it('names the file when it is missing, has no chat_template or does not parse', async () => {
    const dir = await dataFolder({
      'd.jsonl': jsonl([record]),
      'tokenizer_config.json': JSON.stringify({ eos_token: '</s>' }),
      'bad.jinja': '{% for m in messages %}',
    });
    const template = (file: string) => load({ train: 'd.jsonl', template: file }, chatml, dir);
    await expect(template('gone.jinja')).rejects.toThrow(
      `${join(dir, 'gone.jinja')}: file not found; expected a .jinja chat template or a tokenizer_config.json with a chat_template`,
    );
    await expect(template('tokenizer_config.json')).rejects.toThrow(
      `${join(dir, 'tokenizer_config.json')}: has no chat_template`,
    );
    await expect(template('bad.jinja')).rejects.toThrow(
      `${join(dir, 'bad.jinja')}: the chat_template does not parse`,
    );
  });
});
