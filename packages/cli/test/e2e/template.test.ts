import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTunekit } from './run-tunekit.js';

let work: string;
let data: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tunekit-cli-template-'));
  data = join(work, 'chat.jsonl');
  const record = {
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
      { role: 'assistant', content: 'Paris.' },
    ],
  };
  await writeFile(
    data,
    `${JSON.stringify(record)}\n{"instruction": "Add 2 and 3", "input": "", "output": "5"}\n`,
  );
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('tunekit template', () => {
  it('lists the built-in templates', async () => {
    const run = await runTunekit(['template', 'list']);
    expect(run.code).toBe(0);
    for (const id of ['chatml', 'alpaca', 'llama3', 'gemma', 'jinja'])
      expect(run.stdout).toContain(id);
  });

  it('renders records with the trained text marked (brackets when not a terminal)', async () => {
    const run = await runTunekit([
      'template',
      'render',
      '--template',
      'chatml',
      '--data',
      data,
      '--limit',
      '2',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('<|im_start|>user\nCapital of France?<|im_end|>');
    // the assistant's answer and its end-of-turn token are what is trained
    expect(run.stdout).toMatch(/\[Paris\.<\|im_end\|>\n?\]/);
    expect(run.stdout).not.toMatch(/\[[^\]]*Capital of France/);
    expect(run.stdout).toMatch(/Add 2 and 3/);
  });

  it('names the record and field of a bad record', async () => {
    const bad = join(work, 'bad.jsonl');
    await writeFile(bad, '{"messages": [{"role": "narrator", "content": "x"}]}\n');
    const run = await runTunekit(['template', 'render', '--template', 'chatml', '--data', bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\.jsonl:1: messages\[0\]\.role/);
  });

  it('renders from a tokenizer_config.json alone with the generation prompt, loading no backend, trainer or hub client', async () => {
    const config = join(work, 'tokenizer_config.json');
    const chatml =
      "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    await writeFile(config, JSON.stringify({ chat_template: chatml }));
    const prompt = join(work, 'prompt.jsonl');
    await writeFile(prompt, `${JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] })}\n`);
    // the template commands need neither onnxruntime nor the trainer nor the hub client: loading
    // them is what made `template render` slow to start
    const forbid = fileURLToPath(new URL('./forbid-imports.mjs', import.meta.url));
    const run = await runTunekit(
      ['template', 'render', '--template', config, '--data', prompt, '--add-generation-prompt'],
      {
        env: {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${forbid}`,
          TUNEKIT_FORBID_IMPORTS:
            'onnxruntime-node,@tunekit/backend-onnx,@tunekit/trainer,@tunekit/peft-lora,@huggingface/hub',
        },
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `── ${prompt}:1 · jinja · 52 characters, 0 trained (pass a model folder for token counts)\n` +
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
  });
});
