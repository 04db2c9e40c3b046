import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ChatMessage,
  describeDataInput,
  loadCausalLM,
  readGenerationConfig,
  seededRandom,
  Tokenizer,
} from '@tunekit/core';
import { chatml } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { preTokenize } from './bpe.js';
import { corpusDocuments } from './corpus.js';
import { cosineLr } from './cosine-schedule.js';
import { packRows } from './pack-rows.js';
import { SPECIAL_TOKENS } from './tokenizer-files.js';
import { tokenizerFromCorpus } from './train-tokenizer.js';

const MODEL_DIR = join(import.meta.dirname, '..');
const DATA_DIR = join(import.meta.dirname, '../../../examples/quickstart/data');

describe('the bundled tunekit-tiny-chat folder', () => {
  it('holds exactly the tokenizer that train-tokenizer.ts learns from the corpus', async () => {
    for (const [name, json] of Object.entries(tokenizerFromCorpus()))
      expect(JSON.parse(await readFile(join(MODEL_DIR, name), 'utf8')), name).toEqual(json);
  });

  it('has the ChatML special tokens, <|im_end|> as eos and <|endoftext|> as pad', async () => {
    const tokenizer = await Tokenizer.fromFolder(MODEL_DIR);
    expect(SPECIAL_TOKENS.map((t) => tokenizer.tokenToId(t))).toEqual([0, 1, 2]);
    expect([tokenizer.eosToken, tokenizer.padToken, tokenizer.bosToken]).toEqual([
      '<|im_end|>',
      '<|endoftext|>',
      undefined,
    ]);
    const messages: ChatMessage[] = [
      { role: 'user', content: 'What is 23 + 45?' },
      { role: 'assistant', content: '68' },
    ];
    const { text } = chatml.render(messages);
    const ids = tokenizer.encode(text);
    expect(ids.filter((id) => id <= 2)).toEqual([1, 2, 1, 2]); // one id per special token
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.chatTemplate).toBe(chatml.chatTemplate());
  });

  it('splits text as bpe.ts pre-tokenises it: each digit alone, each corpus piece one token', async () => {
    const tokenizer = await Tokenizer.fromFolder(MODEL_DIR);
    const docs = corpusDocuments(seededRandom(11));
    for (let i = 0; i < 200; i++) {
      const doc = docs.next().value as string;
      const tokens = tokenizer
        .encode(doc)
        .filter((id) => id > 2)
        .map((id) => tokenizer.idToToken(id));
      expect(tokens, doc).toEqual(preTokenize(doc, SPECIAL_TOKENS));
    }
    expect(tokenizer.encode('1234').map((id) => tokenizer.idToToken(id))).toEqual([
      '1',
      '2',
      '3',
      '4',
    ]);
  });

  it('loads as a Llama model with its generation config', async () => {
    const { model, family } = await loadCausalLM(MODEL_DIR);
    expect(family.id).toBe('llama');
    const params = new Set(model.namedParameters().map(([, p]) => p));
    expect([...params].reduce((n, p) => n + p.value.size, 0)).toBe(870_144);
    const generation = await readGenerationConfig(MODEL_DIR);
    expect(generation?.eos_token_id).toEqual([2, 0]);
  });
});

describe('the quickstart data', () => {
  it('holds out every eval pair from train, in either order', async () => {
    const pairs = async (file: string) =>
      (await readFile(join(DATA_DIR, file), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => {
          const { messages } = JSON.parse(line);
          const [a, b] = (messages[0].content.match(/\d+/g) as string[]).map(Number);
          expect(Number(messages[1].content)).toBe(a + b);
          return [Math.min(a, b), Math.max(a, b)].join('+');
        });
    const train = new Set(await pairs('train.jsonl'));
    const held = await pairs('eval.jsonl');
    expect([train.size, held.length]).toEqual([2000, 200]);
    expect(held.filter((p) => train.has(p))).toEqual([]);
  });

  it('has data manifests that describe the files as committed', async () => {
    for (const [file, records] of [
      ['train.jsonl', 2000],
      ['eval.jsonl', 200],
    ] as const) {
      const input = await describeDataInput(join(DATA_DIR, file));
      expect(input.manifest_outdated).toBeUndefined();
      expect(input.manifest).toMatchObject({ file, records, format: 'messages', inputs: [] });
    }
  });
});

describe('pretraining helpers', () => {
  it('packs whole documents from the start of each row, cutting only the last', () => {
    const docs = (function* () {
      for (;;) yield* [[5, 6, 7], [8], [9, 10, 11, 12]];
    })();
    const rows = packRows(docs, 6, 0);
    expect(rows.next().value).toEqual([5, 6, 7, 0, 8, 0]);
    expect(rows.next().value).toEqual([9, 10, 11, 12, 0, 5]);
    expect(rows.next().value).toEqual([8, 0, 9, 10, 11, 12]); // the rest of [5, 6, 7] is dropped
  });

  it('warms up linearly, then decays along a cosine to minRatio of the peak', () => {
    const opts = { peak: 1, warmup: 10, total: 110, minRatio: 0.1 };
    expect(cosineLr(5, opts)).toBeCloseTo(0.5);
    expect(cosineLr(10, opts)).toBeCloseTo(1);
    expect(cosineLr(60, opts)).toBeCloseTo(0.55);
    expect(cosineLr(110, opts)).toBeCloseTo(0.1);
  });
});
