import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tokenizer } from '@tunekit/core';
import { expectFinite, FUZZ_CASE_MS, FUZZ_SEED, fuzzOutcome } from '@tunekit/core/testing';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatmlTokenizer, dataContainer, dataFolder } from '../../test/data-helpers.js';
import { loadSftData } from './load-sft-data.js';

let tokenizer: Tokenizer;
let dir: string;
beforeAll(async () => {
  tokenizer = await chatmlTokenizer();
  dir = await dataFolder({});
});

/** Text as data holds it: words, the template's own special tokens, any Unicode, or empty. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.lorem({ maxCount: 8 }) },
  fc.constantFrom('', ' ', '<|im_start|>', '<|im_end|>\n', '\u0000', '\uFFFD', '😀'),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** A field's value: the text it should be, mostly; sometimes another JSON value. */
const field = fc.oneof({ weight: 8, arbitrary: text }, fc.jsonValue({ maxDepth: 2 }));
const role = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('system', 'user', 'assistant', 'tool') },
  field,
);
const message = fc.record(
  { role, content: fc.oneof({ weight: 8, arbitrary: text }, field, fc.constant(null)) },
  { requiredKeys: [] },
);
const speaker = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.constantFrom('human', 'gpt', 'system', 'function_call', 'observation'),
  },
  field,
);

/** A record of each dataset shape, with fields that may be missing or of the wrong type. */
const record = fc.oneof(
  fc.record({ text: field }, { requiredKeys: [] }),
  fc.record({ prompt: field, completion: field, system: field }, { requiredKeys: ['prompt'] }),
  fc.record(
    { instruction: field, input: field, output: field, system: field },
    { requiredKeys: ['instruction'] },
  ),
  fc.record({
    messages: fc.oneof({ weight: 8, arbitrary: fc.array(message, { maxLength: 6 }) }, field),
  }),
  fc.record(
    {
      conversations: fc.oneof(
        {
          weight: 8,
          arbitrary: fc.array(fc.record({ from: speaker, value: field }), { maxLength: 6 }),
        },
        field,
      ),
      system: field,
      tools: field,
    },
    { requiredKeys: ['conversations'] },
  ),
  fc.record({ prompt: field, chosen: field, rejected: field }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** JSON nested `depth` deep, as a record or inside a field: parsers and messages must not recurse. */
const deep = fc
  .tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom('[', '{"a":', '{"text":['))
  .map(([depth, open]) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : ']}';
    return Buffer.from(`${open.repeat(depth)}1${close.repeat(depth)}`);
  });

/** A line of the file: a record, or text that is not one (bad JSON, blank, not UTF-8, deep). */
const line = fc.oneof(
  { weight: 12, arbitrary: record.map((r) => Buffer.from(JSON.stringify(r))) },
  fc.constantFrom('', '   ', '{"text": ', '[', 'null', '{}').map((t) => Buffer.from(t)),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
  deep,
);

/** A data file: a few lines, one kind of record repeated (a source has one format) or mixed. */
const dataFile = fc
  .tuple(
    fc.array(line, { minLength: 1, maxLength: 8 }),
    fc.boolean(),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([lines, asArray, end, bom]) => {
    const body = asArray
      ? Buffer.concat([
          Buffer.from('[\n'),
          ...lines.flatMap((l, i) => [
            l,
            Buffer.from(i < lines.length - 1 ? `,${end}` : `${end}]`),
          ]),
        ])
      : Buffer.concat(lines.flatMap((l) => [l, Buffer.from(end)]));
    return bom ? Buffer.concat([Buffer.from('\uFEFF'), body]) : body;
  });

const settings = fc.record({
  skip_invalid: fc.boolean(),
  max_length: fc.integer({ min: 1, max: 64 }),
  packing: fc.boolean(),
  template: fc.constantFrom(undefined, 'chatml', 'alpaca', 'raw'),
  loss_policy: fc.constantFrom('assistant', 'all', 'completion_only', 'last_assistant'),
  remove_duplicates: fc.boolean(),
});

describe('JSONL records (fuzz): loaded, or a UserError naming the file, never another error', () => {
  it('loads files of records of every shape, good and bad', async () => {
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(dataFile, settings, async (bytes, config) => {
        await writeFile(join(dir, 'train.jsonl'), bytes);
        const data = await fuzzOutcome(
          () =>
            loadSftData(
              { train: 'train.jsonl', ...config },
              { container: dataContainer(), tokenizer, baseDir: dir },
            ),
          /train\.jsonl/,
        );
        if (data === undefined) return;
        loaded++;
        expectFinite(data.stats, 'stats');
        for (const example of data.trainExamples) {
          expect(example.input_ids.length).toBeLessThanOrEqual(config.max_length);
          expect(example.supervisedTokens).toBeGreaterThan(0);
        }
        for (const batch of data.train(0)) expectFinite(batch, 'batch');
      }),
      { seed: FUZZ_SEED, numRuns: 500, timeout: FUZZ_CASE_MS },
    );
    expect(loaded).toBeGreaterThan(25);
  });
});
