import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertRecord, readDataSet, readDatasetInfo } from '../src/index.js';
import { workFolder, writeJsonl } from './fixtures.js';

const work = await workFolder();

const conversation = {
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello' },
    { role: 'user', content: 'What is 2+2?' },
    { role: 'assistant', content: '4' },
  ],
};

describe('convertRecord', () => {
  it('writes a conversation in each SFT format, and reads back as the same conversation', async () => {
    const [record] = (await readDataSet(await writeJsonl(join(work, 'm.jsonl'), [conversation])))
      .records;
    if (!record) throw new Error('no record');
    expect(convertRecord(record, 'sharegpt')).toEqual({
      conversations: [
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello' },
        { from: 'human', value: 'What is 2+2?' },
        { from: 'gpt', value: '4' },
      ],
      system: 'Be brief.',
    });
    expect(convertRecord(record, 'alpaca')).toEqual({
      instruction: 'What is 2+2?',
      input: '',
      output: '4',
      system: 'Be brief.',
      history: [['Hi', 'Hello']],
    });
    for (const to of ['sharegpt', 'alpaca', 'messages'] as const) {
      const file = await writeJsonl(join(work, `back-${to}.jsonl`), [convertRecord(record, to)]);
      const back = (await readDataSet(file)).records[0];
      expect(back?.conversation.messages).toEqual(conversation.messages);
    }
    await expect(async () => convertRecord(record, 'prompt_completion')).rejects.toThrow(
      /m\.jsonl:1: 2 turns; prompt_completion holds one/,
    );
  });

  it('turns a single exchange into prompt/completion, and a pair only into preference or its chosen answer', async () => {
    const data = await readDataSet(
      await writeJsonl(join(work, 'p.jsonl'), [
        { prompt: 'What is 2+2?', chosen: '4', rejected: '5' },
      ]),
    );
    const [pair] = data.records;
    if (!pair) throw new Error('no record');
    expect(convertRecord(pair, 'preference')).toEqual({
      prompt: 'What is 2+2?',
      chosen: '4',
      rejected: '5',
    });
    expect(convertRecord(pair, 'prompt_completion')).toEqual({
      prompt: 'What is 2+2?',
      completion: '4',
    });
    const [single] = (
      await readDataSet(await writeJsonl(join(work, 's.jsonl'), [{ text: 'plain' }]))
    ).records;
    if (!single) throw new Error('no record');
    expect(() => convertRecord(single, 'preference')).toThrow(/s\.jsonl:1: not a preference pair/);
  });

  it('writes tool calls as ShareGPT function_call turns and refuses them in Alpaca', async () => {
    const call = { name: 'add', arguments: { a: 2, b: 2 } };
    const [record] = (
      await readDataSet(
        await writeJsonl(join(work, 't.jsonl'), [
          {
            messages: [
              { role: 'user', content: 'Add 2 and 2' },
              {
                role: 'assistant',
                content: null,
                tool_calls: [{ type: 'function', function: call }],
              },
              { role: 'tool', content: '4' },
              { role: 'assistant', content: '4' },
            ],
          },
        ]),
      )
    ).records;
    if (!record) throw new Error('no record');
    expect(convertRecord(record, 'sharegpt')).toMatchObject({
      conversations: [
        { from: 'human' },
        { from: 'function_call', value: JSON.stringify(call) },
        { from: 'observation', value: '4' },
        { from: 'gpt', value: '4' },
      ],
    });
    expect(() => convertRecord(record, 'alpaca')).toThrow(
      /turn 1 is not a user turn answered in text/,
    );
  });
});

describe('readDatasetInfo', () => {
  it('maps LLaMA-Factory column names and role tags onto tunekit’s formats', async () => {
    await writeJsonl(join(work, 'lf-alpaca.jsonl'), [
      { q: 'Add', ctx: '2 and 3', a: '5', sys: 'Math.' },
    ]);
    await writeJsonl(join(work, 'lf-chat.jsonl'), [
      {
        msgs: [
          { role: 'u', text: 'Hi' },
          { role: 'bot', text: 'Hello' },
        ],
      },
    ]);
    await writeJsonl(join(work, 'lf-rank.jsonl'), [
      {
        conversations: [{ from: 'human', value: 'Pick' }],
        chosen: { from: 'gpt', value: 'good' },
        rejected: { from: 'gpt', value: 'bad' },
      },
    ]);
    const info = join(work, 'dataset_info.json');
    await writeFile(
      info,
      JSON.stringify({
        sums: {
          file_name: 'lf-alpaca.jsonl',
          columns: { prompt: 'q', query: 'ctx', response: 'a', system: 'sys' },
        },
        chat: {
          file_name: 'lf-chat.jsonl',
          formatting: 'sharegpt',
          columns: { messages: 'msgs' },
          tags: { role_tag: 'role', content_tag: 'text', user_tag: 'u', assistant_tag: 'bot' },
        },
        rank: { file_name: 'lf-rank.jsonl', formatting: 'sharegpt', ranking: true },
      }),
    );
    const read = async (name: string) => {
      const source = await readDatasetInfo(info, name);
      return (await readDataSet(source.path, { mapRecord: source.mapRecord })).records[0];
    };
    expect((await read('sums'))?.conversation.messages).toEqual([
      { role: 'system', content: 'Math.' },
      { role: 'user', content: 'Add\n\n2 and 3' },
      { role: 'assistant', content: '5' },
    ]);
    const chat = await read('chat');
    expect(chat?.conversation).toMatchObject({ instruction: 'Hi', response: 'Hello' });
    expect(chat?.raw).toEqual({
      msgs: [
        { role: 'u', text: 'Hi' },
        { role: 'bot', text: 'Hello' },
      ],
    });
    expect((await read('rank'))?.conversation).toMatchObject({ response: 'good', rejected: 'bad' });
    await expect(readDatasetInfo(info, 'nope')).rejects.toThrow(
      `${info}: no data set 'nope'; it describes sums, chat, rank`,
    );
  });

  it('counts a record whose speaker is none of the tags as invalid, naming it', async () => {
    await writeJsonl(join(work, 'lf-bad.jsonl'), [
      { conversations: [{ from: 'alien', value: 'x' }] },
    ]);
    const info = join(work, 'bad_info.json');
    await writeFile(
      info,
      JSON.stringify({ bad: { file_name: 'lf-bad.jsonl', formatting: 'sharegpt' } }),
    );
    const source = await readDatasetInfo(info, 'bad');
    await expect(readDataSet(source.path, { mapRecord: source.mapRecord })).rejects.toThrow(
      /lf-bad\.jsonl: all 1 records are invalid; the first: .*lf-bad\.jsonl:1: conversations: speaker "alien" is none of the tags human, gpt/,
    );
  });
});
