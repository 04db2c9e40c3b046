import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledModel } from '../../test/e2e/repo-paths.js';
import type { CliStreams } from '../run-cli.js';
import { chatCommand } from './chat.js';
import { generateCommand } from './generate.js';

const QUESTION = 'What is 30 + 8?';
/** A template unlike ChatML (the bundled model's own), so its answer shows which one rendered. */
const QA =
  "{% for m in messages %}{{ 'Q: ' if m['role'] == 'user' else 'A: ' }}{{ m['content'] }}\n{% endfor %}" +
  '{% if add_generation_prompt %}A:{% endif %}';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-chat-template-'));
  await writeFile(join(dir, 'qa.jinja'), QA);
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: QA }));
  await writeFile(join(dir, 'chat_template.json'), JSON.stringify({ chat_template: QA }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a command in this process and returns what it printed. */
async function run(command: (streams: CliStreams) => Command, args: string[]): Promise<string> {
  const stdout = new PassThrough();
  await command({ stdout, stderr: new PassThrough() }).parseAsync(args, { from: 'user' });
  return stdout.read()?.toString() ?? '';
}

function chat(template: string): Promise<string> {
  const input = Readable.from([`${QUESTION}\n`]);
  const args = ['--model', bundledModel, '--template', template, '--max-new-tokens', '8'];
  return run((streams) => chatCommand(streams, input), args);
}

describe('tunekit chat --template', () => {
  it('takes an id, a .jinja file, a tokenizer_config.json or a chat_template.json', async () => {
    // the answer to the question rendered through the Q/A template by hand
    const expected = await run(generateCommand, [
      '--model',
      bundledModel,
      '--prompt',
      `Q: ${QUESTION}\nA:`,
      '--max-new-tokens',
      '8',
    ]);
    const byId = await chat('chatml');
    expect(byId).not.toBe(expected); // so the answers below show the file's template rendered
    expect(await chat(join(dir, 'qa.jinja'))).toBe(expected);
    expect(await chat(join(dir, 'tokenizer_config.json'))).toBe(expected);
    expect(await chat(join(dir, 'chat_template.json'))).toBe(expected);
  });

  it('names a template file it cannot read', async () => {
    const missing = join(dir, 'missing', 'tokenizer_config.json');
    await expect(chat(missing)).rejects.toThrow(`${missing}: file not found`);
  });
});
