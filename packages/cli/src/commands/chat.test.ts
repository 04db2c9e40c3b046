import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { UserError } from '@tunekit/core';
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

/** The Q/A template whose answer opens with the names of the tools it is given instead of `A`. */
const QA_TOOLS = QA.replace(
  '{% if add_generation_prompt %}A:{% endif %}',
  "{% if add_generation_prompt %}{{ tools | map(attribute='function') | map(attribute='name') | join(', ') if tools else 'A' }}:{% endif %}",
);
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-chat-template-'));
  await writeFile(join(dir, 'qa.jinja'), QA);
  await writeFile(join(dir, 'qa-tools.jinja'), QA_TOOLS);
  await writeFile(join(dir, 'tools.json'), JSON.stringify([WEATHER]));
  await writeFile(join(dir, 'not-json.json'), '[{"type": "function",');
  await writeFile(join(dir, 'no-name.json'), JSON.stringify([{ type: 'function', function: {} }]));
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

function chat(template: string, ...more: string[]): Promise<string> {
  const input = Readable.from([`${QUESTION}\n`]);
  const args = ['--model', bundledModel, '--template', template, '--max-new-tokens', '8', ...more];
  return run((streams) => chatCommand({ ...streams, stdin: input }), args);
}

/** The answer to `prompt`, rendered by hand, from `tunekit generate`. */
function answer(prompt: string): Promise<string> {
  const args = ['--model', bundledModel, '--prompt', prompt, '--max-new-tokens', '8'];
  return run(generateCommand, args);
}

describe('tunekit chat --template', () => {
  it('takes an id, a .jinja file, a tokenizer_config.json or a chat_template.json', async () => {
    // the answer to the question rendered through the Q/A template by hand
    const expected = await answer(`Q: ${QUESTION}\nA:`);
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

describe('tunekit chat --tools', () => {
  it("gives the file's tools to the template as `tools`", async () => {
    const withTools = await answer(`Q: ${QUESTION}\nget_weather:`);
    expect(withTools).not.toBe(await answer(`Q: ${QUESTION}\nA:`)); // so the answer shows the tools reached it
    const template = join(dir, 'qa-tools.jinja');
    expect(await chat(template, '--tools', join(dir, 'tools.json'))).toBe(withTools);
  });

  it('names a tools file that is missing, not JSON or holds a malformed tool', async () => {
    const qa = join(dir, 'qa.jinja');
    const missing = join(dir, 'missing.json');
    await expect(chat(qa, '--tools', missing)).rejects.toThrow(`${missing}: file not found`);
    const notJson = join(dir, 'not-json.json');
    await expect(chat(qa, '--tools', notJson)).rejects.toThrow(`${notJson}: not valid JSON`);
    const noName = join(dir, 'no-name.json');
    await expect(chat(qa, '--tools', noName)).rejects.toThrow(
      new RegExp(`^${noName}: \\[0\\]\\.function\\.name: `),
    );
    await expect(chat(qa, '--tools', join(dir, 'qa.jinja'))).rejects.toThrow(UserError);
  });
});
