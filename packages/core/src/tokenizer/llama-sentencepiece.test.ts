import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from './tokenizer.js';
import { llamaSentencepieceFixture } from './tokenizer-fixtures.test-utils.js';

// Expected ids are derived by hand from the fixture (tokenizer-fixtures.test-utils.ts):
// <unk>=0 <s>=1 </s>=2, <0xNN>=3+NN, ▁=259 H=260 e=261 l=262 o=263 w=264 r=265 d=266 !=267,
// merge k makes id 268 + k, <|im_start|>=279 <|im_end|>=280 <sep>=281 (not special).
// The legacy normalizer turns "Hello world" into "▁Hello▁world"; with no pre-tokenizer BPE
// sees the whole string and merges by rank:
//   ▁ H e l l o ▁ w o r l d
//   (l,l)#0 (▁,w)#1 (o,r)#2 (H,e)#3 (He,ll)#4 (Hell,o)#5 (▁,Hello)#6 (▁w,or)#7 (l,d)#8 (▁wor,ld)#9
//   -> ▁Hello(274) ▁world(277), and add_bos_token puts <s> first.
const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tokenizers');
const FOLDER = join(FIXTURES, 'llama-sentencepiece');

/** SentencePiece's own encoding of the fixture's model (scripts/golden/make_sentencepiece_golden.py). */
const golden = JSON.parse(readFileSync(join(FIXTURES, 'sentencepiece-golden.json'), 'utf8')) as {
  cases: { text: string; ids: number[]; decoded: string }[];
};

describe('sentencepiece-style Llama tokenizer', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = await Tokenizer.fromFolder(FOLDER);
  });

  it.each([
    ['Hello world', [1, 274, 277]],
    // "▁Hello▁▁world": (▁,w)#1 takes the second ▁ before (▁,▁)#10 can pair them.
    ['Hello  world', [1, 274, 259, 277]],
    // "▁▁Hello": (▁,Hello)#6 comes before (▁,▁)#10.
    [' Hello', [1, 259, 274]],
    // é and 😀 are not pieces: their UTF-8 bytes C3 A9 and F0 9F 98 80 fall back to <0xNN>.
    ['Hé 😀', [1, 259, 260, 3 + 0xc3, 3 + 0xa9, 259, 3 + 0xf0, 3 + 0x9f, 3 + 0x98, 3 + 0x80]],
    ['world!', [1, 277, 267]],
  ])('encodes %j', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
  });

  it.each(golden.cases)(
    'encodes and decodes $text as SentencePiece does',
    ({ text, ids, decoded }) => {
      expect(tok.encode(text)).toEqual(ids);
      expect(tok.decode(ids, { skipSpecialTokens: true })).toBe(decoded);
    },
  );

  it('puts <s> first because add_bos_token is true, and no </s>', () => {
    expect([tok.addBosToken, tok.addEosToken]).toEqual([true, false]);
    expect(tok.encode('Hello world', { addSpecialTokens: false })).toEqual([274, 277]);
  });

  it('splits special and added tokens out before normalising (legacy: each part gets its ▁)', () => {
    expect(tok.encode('<|im_start|>Hello<|im_end|>')).toEqual([1, 279, 274, 280]);
    expect(tok.encode('Hello<sep>world')).toEqual([1, 274, 281, 277]);
    // Typed special tokens are tokens too; the bos from add_bos_token still comes first.
    expect(tok.encode('<s>Hello</s>')).toEqual([1, 1, 274, 2]);
  });

  it('decodes as transformers does: special tokens kept unless skipped, one leading space stripped', () => {
    expect(tok.decode([1, 274, 277])).toBe('<s> Hello world');
    expect(tok.decode([1, 274, 277], { skipSpecialTokens: true })).toBe('Hello world');
    expect(tok.decode(tok.encode('Hé 😀'), { skipSpecialTokens: true })).toBe('Hé 😀');
    expect(tok.decode(tok.encode('Hello  world'), { skipSpecialTokens: true })).toBe(
      'Hello  world',
    );
    // <sep> is not special, so it stays; the ▁ before "world" decodes to a space.
    expect(tok.decode(tok.encode('Hello<sep>world'), { skipSpecialTokens: true })).toBe(
      'Hello<sep> world',
    );
    expect(tok.decode([0])).toBe('<unk>');
    expect(tok.decode([0, 274], { skipSpecialTokens: true })).toBe('Hello');
  });

  it('joins byte-fallback tokens into their character', () => {
    expect(tok.decode([3 + 0xf0, 3 + 0x9f, 3 + 0x98, 3 + 0x80])).toBe('😀');
    expect(tok.tokenToId('<0xF0>')).toBe(3 + 0xf0);
  });

  it('takes named tokens from the config, the pad token from special_tokens_map.json', () => {
    expect([tok.bosToken, tok.bosTokenId]).toEqual(['<s>', 1]);
    expect([tok.eosToken, tok.eosTokenId]).toEqual(['</s>', 2]);
    expect([tok.unkToken, tok.unkTokenId]).toEqual(['<unk>', 0]);
    expect([tok.padToken, tok.padTokenId]).toEqual(['</s>', 2]);
    expect(tok.specialTokenIds).toEqual(new Set([0, 1, 2, 279, 280]));
    expect(tok.vocabSize).toBe(282);
    // 1e30 is transformers' "no limit".
    expect(tok.modelMaxLength).toBeUndefined();
  });

  it('keeps the named-list form of chat_template', () => {
    expect(tok.chatTemplate).toEqual([
      { name: 'default', template: expect.stringContaining('<|im_start|>') },
      { name: 'tool_use', template: '{{ bos_token }}{{ messages | tojson }}' },
    ]);
  });

  it('adds </s> when add_eos_token is set, and nothing when add_bos_token is false', () => {
    const files = llamaSentencepieceFixture();
    const config = files['tokenizer_config.json'] as object;
    const both = Tokenizer.fromFiles({
      tokenizer: files['tokenizer.json'],
      config: { ...config, add_eos_token: true },
    });
    expect(both.encode('Hello world')).toEqual([1, 274, 277, 2]);
    const none = Tokenizer.fromFiles({
      tokenizer: files['tokenizer.json'],
      config: { ...config, add_bos_token: false },
    });
    expect(none.addBosToken).toBe(false);
    expect(none.encode('Hello world')).toEqual([274, 277]);
  });

  it('runs the Metaspace form (prepend_scheme "first") with the same pieces', () => {
    const files = llamaSentencepieceFixture();
    const json = files['tokenizer.json'] as Record<string, unknown>;
    const metaspace = Tokenizer.fromFiles({
      tokenizer: {
        ...json,
        normalizer: null,
        pre_tokenizer: {
          type: 'Metaspace',
          replacement: '▁',
          prepend_scheme: 'first',
          split: false,
        },
      },
      config: files['tokenizer_config.json'],
    });
    expect(metaspace.encode('Hello world')).toEqual([1, 274, 277]);
    // Only the text's first part gets the ▁: "Hello" after <|im_start|> is Hell+o merged = 273.
    expect(metaspace.encode('<|im_start|>Hello<|im_end|>')).toEqual([1, 279, 273, 280]);
  });
});
