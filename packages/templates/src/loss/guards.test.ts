import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { chatmlTokenizer } from '../../test/byte-tokenizer.js';
import { chatml, raw } from '../builtins/index.js';
import { templateFingerprint } from '../fingerprint.js';
import { renderRecord } from '../records/index.js';
import { padBatch } from './pad-batch.js';
import { SupervisionGuard } from './supervision-guard.js';
import { IGNORE_INDEX, tokenizeExample } from './tokenize-example.js';

const tokenizer = chatmlTokenizer();
const context = { eos_token: '<|im_end|>' };

function tokens(record: unknown, where: string, maxLength?: number) {
  const example = renderRecord(chatml, record, { where, context });
  return tokenizeExample(example, tokenizer, { where, maxLength });
}

describe('pad == eos', () => {
  it('still trains the end-of-turn token, and masks padding by length', () => {
    const eos = tokenizer.eosTokenId as number;
    expect(tokenizer.padTokenId).toBe(eos);
    const short = tokens({ prompt: 'Hi', completion: 'Yo' }, 'data.jsonl:1');
    const long = tokens({ prompt: 'Hello there', completion: 'Hello!' }, 'data.jsonl:2');
    const batch = padBatch([short, long], { padTokenId: eos });
    const row = batch.input_ids[0];
    const n = short.input_ids.length;
    expect(row.length).toBe(long.input_ids.length);
    // The answer's <|im_end|> has the pad token's id and is trained...
    const endOfTurn = short.labels.lastIndexOf(eos);
    expect(endOfTurn).toBeGreaterThan(0);
    expect(batch.labels[0][endOfTurn]).toBe(eos);
    expect(batch.attention_mask[0][endOfTurn]).toBe(1);
    // ...while the padding after the example, the same id, is not.
    expect(row.slice(n).every((id) => id === eos)).toBe(true);
    expect(batch.labels[0].slice(n).every((label) => label === IGNORE_INDEX)).toBe(true);
    expect(batch.attention_mask[0].slice(n).every((m) => m === 0)).toBe(true);
  });

  it('pads on the left for generation', () => {
    const short = tokens({ prompt: 'Hi', completion: 'Yo' }, 'r1');
    const batch = padBatch([short], {
      padTokenId: 0,
      length: short.input_ids.length + 2,
      side: 'left',
    });
    expect(batch.input_ids[0].slice(0, 2)).toEqual([0, 0]);
    expect(batch.attention_mask[0].slice(0, 3)).toEqual([0, 0, 1]);
  });
});

describe('SupervisionGuard', () => {
  const fingerprint = templateFingerprint(chatml);

  it('reports each example left with no supervised token, by record', () => {
    const guard = new SupervisionGuard(fingerprint);
    guard.add('data.jsonl:1', tokens({ prompt: 'Hi', completion: 'Yo' }, 'data.jsonl:1'));
    guard.add(
      'data.jsonl:2',
      tokens({ prompt: 'A long prompt here', completion: 'Yo' }, 'data.jsonl:2', 8),
    );
    expect(guard.warning()).toBe(
      '1 of 2 examples have no supervised token after truncation and teach nothing: data.jsonl:2',
    );
    expect(guard.finish()).toEqual({ examples: 2, unsupervised: ['data.jsonl:2'], doubleBos: [] });
  });

  it('fails a dataset where no example has a supervised token, naming the template and the first records', () => {
    const guard = new SupervisionGuard(fingerprint);
    for (let line = 1; line <= 7; line++) {
      const where = `data.jsonl:${line}`;
      // Only user turns: the silent all-zero assistant mask.
      guard.add(
        where,
        tokens({ messages: [{ role: 'user', content: `question ${line}` }] }, where),
      );
    }
    const run = () => guard.finish();
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      `template 'chatml' (sha256 ${fingerprint.sha256.slice(0, 12)}) with loss policy 'assistant' leaves every label at -100 in all 7 examples (first records: data.jsonl:1, data.jsonl:2, data.jsonl:3, data.jsonl:4, data.jsonl:5 and 2 more)`,
    );
  });

  it('passes an empty dataset and a dataset trained on whole text', () => {
    expect(new SupervisionGuard(fingerprint).finish().examples).toBe(0);
    const guard = new SupervisionGuard(templateFingerprint(raw));
    const example = renderRecord(raw, { text: 'plain text' }, { where: 'r1' });
    guard.add('r1', tokenizeExample(example, tokenizer, { where: 'r1' }));
    expect(guard.finish().unsupervised).toEqual([]);
  });
});
