import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTemplateFile, readTemplateFile } from './template-file.js';

const TURNS = '{% for m in messages %}{{ bos_token }}{{ m.role }}: {{ m.content }}\n{% endfor %}';
const HI = [{ role: 'user' as const, content: 'Hi' }];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-template-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

describe('isTemplateFile', () => {
  it('tells a .jinja or JSON path from a template id', () => {
    expect(['x/chat.jinja', 'tokenizer_config.json', 'T.JINJA'].map(isTemplateFile)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['chatml', 'jinja', 'llama3'].map(isTemplateFile)).toEqual([false, false, false]);
  });
});

describe('readTemplateFile', () => {
  it('reads tokenizer_config.json: the chat_template and the special tokens it names', async () => {
    const path = await file(
      'tokenizer_config.json',
      JSON.stringify({ chat_template: TURNS, bos_token: { content: '<s>' }, eos_token: '</s>' }),
    );
    const { template, context } = await readTemplateFile(path);
    expect(context).toEqual({ bos_token: '<s>', eos_token: '</s>' });
    expect(template.render(HI, { context }).text).toBe('<s>user: Hi\n');
  });

  it('picks a named template as transformers does, and names the file when one is missing', async () => {
    const named = (list: object[]) => file('named.json', JSON.stringify({ chat_template: list }));
    const { template } = await readTemplateFile(
      await named([
        { name: 'default', template: TURNS },
        { name: 'rag', template: 'x' },
      ]),
    );
    expect(template.chatTemplate()).toBe(TURNS);
    await expect(readTemplateFile(await named([{ name: 'rag', template: 'x' }]))).rejects.toThrow(
      `${join(dir, 'named.json')}: tokenizer_config.json has no chat_template named 'default'; it has rag`,
    );
  });

  it('names the file and the field of a chat_template of the wrong type', async () => {
    const path = await file('wrong.json', JSON.stringify({ chat_template: 42 }));
    await expect(readTemplateFile(path)).rejects.toThrow(`${path}: chat_template`);
  });

  it('names a folder or an empty .jinja file', async () => {
    await expect(readTemplateFile(join(dir, 'x.json'))).rejects.toThrow(
      `${join(dir, 'x.json')}: file not found`,
    );
    const folder = join(dir, 'folder.jinja');
    await mkdir(folder);
    await expect(readTemplateFile(folder)).rejects.toThrow(
      `${folder}: a folder; expected a .jinja chat template or a tokenizer_config.json with a chat_template`,
    );
    await expect(readTemplateFile(await file('empty.jinja', ' \n'))).rejects.toThrow(
      `${join(dir, 'empty.jinja')}: the file is empty`,
    );
  });
});
