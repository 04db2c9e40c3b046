import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteTokenizerFiles } from '../../test/byte-tokenizer.js';
import { CHATML_JINJA } from '../builtins/index.js';
import { createJinjaTemplate } from '../jinja/index.js';
import { listTemplates } from './list-templates.js';
import { renderExamples } from './render-examples.js';

let dir: string;
let data: string;
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-templates-'));
  data = join(dir, 'data.jsonl');
  const records = [
    {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Yo' },
      ],
    },
    { instruction: 'Say hi.', output: 'Hi' },
  ];
  await writeFile(
    data,
    `${records.map((r) => JSON.stringify(r)).join('\n')}\n\n{"text": "third"}\n`,
  );
  model = join(dir, 'model');
  await mkdir(model);
  const files = byteTokenizerFiles({
    special: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
    eos_token: '<|im_end|>',
    chat_template: CHATML_JINJA,
  });
  await writeFile(join(model, 'tokenizer.json'), JSON.stringify(files.tokenizer));
  await writeFile(join(model, 'tokenizer_config.json'), JSON.stringify(files.config));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('listTemplates', () => {
  it('prints one line per template, ids aligned', () => {
    const text = listTemplates();
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe(
      `chatml          ${'ChatML: <|im_start|>role\\n...<|im_end|> (Qwen2, SmolLM2, OpenHermes)'}`,
    );
    expect(lines.map((line) => line.split(' ')[0])).toContain('jinja');
  });
});

describe('renderExamples', () => {
  it('marks the trained text with brackets and counts characters without a tokenizer', async () => {
    const text = await renderExamples({ template: 'chatml', dataFile: data, limit: 1 });
    expect(text).toBe(
      `── ${data}:1 · chatml · 65 characters, 12 trained (pass a model folder for token counts)\n` +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n[[Yo<|im_end|>]]\n',
    );
  });

  it("counts tokens with a model folder's tokenizer and its own template, in colour on a terminal", async () => {
    const text = await renderExamples({ template: model, dataFile: data, colour: true });
    const blocks = text.split('── ').slice(1);
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toBe(
      `${data}:1 · jinja · 25 tokens, 3 trained\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n\u001b[1;32mYo<|im_end|>\u001b[0m\n\n`,
    );
    expect(blocks[2]).toContain(`${data}:4 · jinja · 6 tokens, 6 trained`);
  });

  it('shows a text whose trained part cannot be found, and says why', async () => {
    // Turns written newest first: no assistant span can be placed in text order.
    const reversed = createJinjaTemplate(
      '{% for m in messages | reverse %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}',
      { id: 'reversed' },
    );
    const text = await renderExamples({
      template: 'reversed',
      dataFile: data,
      limit: 1,
      templates: [reversed],
    });
    expect(text).toBe(
      `── ${data}:1 · reversed · 40 characters, 0 trained (pass a model folder for token counts)\n` +
        `(nothing marked: ${data}:1: template 'reversed': cannot tell which text of assistant turn messages[1] to train on, because cannot tell where it starts: the text before it, with the generation prompt, is not a prefix of the text with it; mark the assistant text in the chat_template with {% generation %}...{% endgeneration %})\n` +
        '<assistant>Yo</assistant><user>Hi</user>\n',
    );
  });

  it('names an unknown template and lists the registered ones', async () => {
    await expect(renderExamples({ template: 'chatm', dataFile: data })).rejects.toThrow(
      "unknown chat template 'chatm' (and no such model folder or template file); registered: chatml, zephyr,",
    );
  });

  it('names the line of a record that is not JSON', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"text": "ok"}\n{oops\n');
    await expect(renderExamples({ template: 'raw', dataFile: bad })).rejects.toThrow(
      `${bad}:2: not valid JSON`,
    );
  });

  it('renders a folder that has only tokenizer_config.json, counting characters', async () => {
    const configOnly = join(dir, 'config-only');
    await mkdir(configOnly);
    await writeFile(
      join(configOnly, 'tokenizer_config.json'),
      JSON.stringify({ chat_template: CHATML_JINJA, eos_token: '<|im_end|>' }),
    );
    const text = await renderExamples({ template: configOnly, dataFile: data, limit: 1 });
    expect(text).toBe(
      `── ${data}:1 · jinja · 65 characters, 12 trained (pass a model folder for token counts)\n` +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n[[Yo<|im_end|>]]\n',
    );
  });

  it('takes a .jinja file, with a tokenizer from --model, and adds the generation prompt', async () => {
    const file = join(dir, 'chatml.jinja');
    await writeFile(file, CHATML_JINJA);
    const text = await renderExamples({
      template: file,
      dataFile: data,
      limit: 1,
      model: join(model, 'tokenizer.json'),
      addGenerationPrompt: true,
    });
    expect(text).toBe(
      `── ${data}:1 · jinja · 36 tokens, 3 trained\n` +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n[[Yo<|im_end|>]]\n<|im_start|>assistant\n',
    );
  });
});
