import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSftData } from '../src/index.js';
import { chatmlTokenizer, dataContainer, dataFolder, toolTokenizer } from './data-helpers.js';

const chat = {
  messages: [
    { role: 'user', content: 'a' },
    { role: 'assistant', content: 'b' },
  ],
};
const call = (value: string) => ({
  conversations: [
    { from: 'human', value: 'Weather?' },
    { from: 'function_call', value },
  ],
});

/**
 * Every way a record can be bad, each as the second record of a file (the first sets the
 * format), with the error it must give: file, line, field and what was expected.
 */
const CASES: readonly [string, unknown, unknown, string | RegExp][] = [
  ['JSON that does not parse', { text: 'ok' }, '{"text": "a",', /^bad\.jsonl:2: not valid JSON \(/],
  [
    'text that is not a string',
    { text: 'ok' },
    { text: 3 },
    'bad.jsonl:2: text: Invalid input: expected string, received number',
  ],
  [
    'an empty prompt',
    { prompt: 'Q', completion: 'A' },
    { prompt: '', completion: 'A' },
    'bad.jsonl:2: prompt: Too small: expected string to have >=1 characters',
  ],
  [
    'a missing completion',
    { prompt: 'Q', completion: 'A' },
    { prompt: 'Q' },
    'bad.jsonl:2: the record is not prompt and completion (prompt/completion), the format bad.jsonl:1 set for this source (it has fields prompt); all records of a source have one format',
  ],
  [
    'an Alpaca record without output',
    { instruction: 'I', output: 'O' },
    { instruction: 'I' },
    'bad.jsonl:2: output: Invalid input: expected string, received undefined',
  ],
  [
    'an Alpaca history entry that is not a pair',
    { instruction: 'I', output: 'O' },
    { instruction: 'I', output: 'O', history: [['only one']] },
    /^bad\.jsonl:2: history\[0\]: /,
  ],
  [
    'an unknown role',
    chat,
    {
      messages: [
        { role: 'user', content: 'a' },
        { role: 'bot', content: 'b' },
      ],
    },
    'bad.jsonl:2: messages[1].role: unknown role "bot"; expected one of system, user, assistant, tool',
  ],
  [
    'content that is not text',
    chat,
    { messages: [{ role: 'user', content: ['a'] }] },
    /^bad\.jsonl:2: messages\[0\]\.content: /,
  ],
  [
    'a bad tool definition',
    chat,
    { messages: [{ role: 'user', content: 'a' }], tools: [{ type: 'function', function: {} }] },
    /^bad\.jsonl:2: tools\[0\]\.function\.name: /,
  ],
  [
    'a tool call without a name',
    chat,
    {
      messages: [
        { role: 'assistant', content: null, tool_calls: [{ function: { arguments: {} } }] },
      ],
    },
    /^bad\.jsonl:2: messages\[0\]\.tool_calls\[0\]\.function\.name: /,
  ],
  [
    'an unknown ShareGPT speaker',
    call('{"name": "f"}'),
    { conversations: [{ from: 'bot', value: 'x' }] },
    'bad.jsonl:2: conversations[0].from: unknown speaker "bot"; expected one of human, user, gpt, assistant, system, function_call, observation',
  ],
  [
    'a function_call that is not JSON',
    call('{"name": "f"}'),
    call('f(1)'),
    /^bad\.jsonl:2: conversations\[1\]\.value: expected JSON \(/,
  ],
  [
    'a function_call without a name',
    call('{"name": "f"}'),
    call('{"arguments": {}}'),
    /^bad\.jsonl:2: conversations\[1\]\.value: name: /,
  ],
  [
    'ShareGPT tools that are not JSON',
    call('{"name": "f"}'),
    { ...call('{"name": "f"}'), tools: '[{' },
    /^bad\.jsonl:2: tools: expected JSON \(/,
  ],
  [
    'a record that is not an object',
    { text: 'ok' },
    [1, 2],
    'bad.jsonl:2: the record is not plain text (text), the format bad.jsonl:1 set for this source (it is [1,2], not a JSON object); all records of a source have one format',
  ],
];

describe('a bad record is an error naming file, line and field', () => {
  it.each(CASES)('%s', async (_, good, bad, message) => {
    const line = typeof bad === 'string' ? bad : JSON.stringify(bad);
    const baseDir = await dataFolder({ 'bad.jsonl': `${JSON.stringify(good)}\n${line}\n` });
    const load = async (skip_invalid: boolean) =>
      loadSftData(
        { train: 'bad.jsonl', skip_invalid },
        { container: dataContainer(), tokenizer: await toolTokenizer(), baseDir },
      );
    await expect(load(false)).rejects.toThrow(message);
    const skipped = await load(true);
    expect(skipped.stats).toMatchObject({ examples: 1, skipped: 1 });
  });

  it('a line whose bytes are not UTF-8 (Latin-1 text), never read as U+FFFD', async () => {
    const latin1 = Buffer.from('{"text": "caf\u00e9"}\n', 'latin1');
    const good = Buffer.from('{"text": "ok"}\n');
    const baseDir = await dataFolder({});
    await writeFile(join(baseDir, 'bad.jsonl'), Buffer.concat([good, latin1]));
    const load = async (skip_invalid: boolean) =>
      loadSftData(
        { train: 'bad.jsonl', skip_invalid },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir },
      );
    await expect(load(false)).rejects.toThrow(
      `bad.jsonl:2: not valid UTF-8 (byte 0xe9 at byte offset ${good.length + 13} of the file); save the file as UTF-8`,
    );
    const skipped = await load(true);
    expect(skipped.stats).toMatchObject({ examples: 1, skipped: 1 });
    expect(skipped.stats.warnings[0]).toMatch(
      /^1 invalid records skipped \(skip_invalid\): bad\.jsonl:2: not valid UTF-8/,
    );
  });

  it('a record nested 100,000 deep (found by the fuzz suite: it overflowed the stack)', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const baseDir = await dataFolder({ 'bad.jsonl': `{"text": "ok"}\n${deep}\n` });
    await expect(
      loadSftData(
        { train: 'bad.jsonl' },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir },
      ),
    ).rejects.toThrow(
      'bad.jsonl:2: the record is not plain text (text), the format bad.jsonl:1 set for this source (it is [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[..., not a JSON object)',
    );
    await expect(
      loadSftData(
        { train: 'bad.jsonl', skip_invalid: true },
        {
          container: dataContainer(),
          tokenizer: await chatmlTokenizer(),
          baseDir: await dataFolder({ 'bad.jsonl': deep }),
        },
      ),
    ).rejects.toThrow(
      /^bad\.jsonl: all 1 records are invalid; the first: bad\.jsonl:1 \(record 1\): the record matches no dataset format \(it is \[\[\[/,
    );
  });

  it('a first record of no known shape', async () => {
    const baseDir = await dataFolder({ 'bad.jsonl': '{"question": "a", "answer": "b"}\n' });
    await expect(
      loadSftData(
        { train: 'bad.jsonl' },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir },
      ),
    ).rejects.toThrow(
      /^bad\.jsonl:1: the record matches no dataset format \(it has fields question, answer\); known formats: /,
    );
  });

  it('a bad preference pair', async () => {
    const baseDir = await dataFolder({
      'bad.jsonl':
        '{"prompt": "Q", "chosen": "A", "rejected": "B"}\n{"prompt": "Q", "chosen": "A", "rejected": "A"}\n',
    });
    const { preferenceFormat } = await import('../src/index.js');
    expect(() =>
      preferenceFormat.parse({ prompt: 'Q', chosen: 'A', rejected: 'A' }, 'bad.jsonl:2'),
    ).toThrow('bad.jsonl:2: rejected: is the same as chosen, so the pair prefers nothing');
    await expect(
      loadSftData(
        { train: 'bad.jsonl' },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir },
      ),
    ).rejects.toThrow(/^bad\.jsonl:1: the records are preference pairs/);
  });

  it('a record in a JSON array, by the line it starts on', async () => {
    const baseDir = await dataFolder({
      'bad.json':
        '[\n  {"instruction": "I", "output": "O"},\n  {\n    "instruction": "I"\n  }\n]\n',
    });
    await expect(
      loadSftData(
        { train: 'bad.json' },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir },
      ),
    ).rejects.toThrow(
      'bad.json:3 (record 2): output: Invalid input: expected string, received undefined',
    );
  });

  it('a record the chosen template cannot render', async () => {
    const turn = (role: string, content: string) => ({ role, content });
    const twice = [
      turn('user', 'a'),
      turn('assistant', 'b'),
      turn('user', 'c'),
      turn('assistant', 'd'),
    ];
    const baseDir = await dataFolder({
      'bad.jsonl': `${JSON.stringify({ messages: twice.slice(0, 2) })}\n${JSON.stringify({ messages: twice })}\n`,
    });
    await expect(
      loadSftData(
        { train: 'bad.jsonl', template: 'alpaca' },
        { container: dataContainer(), tokenizer: await chatmlTokenizer(), baseDir },
      ),
    ).rejects.toThrow(
      "bad.jsonl:2: template 'alpaca' renders at most 1 user turn(s), but the conversation has 2",
    );
  });
});
