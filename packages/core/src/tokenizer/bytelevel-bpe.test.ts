import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Tokenizer } from './tokenizer.js';
import { byteLevelBpeFixture } from './tokenizer-fixtures.test-utils.js';

// Expected ids are derived by hand from the merges in tokenizer-fixtures.test-utils.ts
// (byte b has id b; merge k makes id 256 + k; added tokens are 271-274). BPE merges the
// adjacent pair of lowest merge rank until none applies, e.g. "hello world":
//   pre-tokenized (GPT-2 regex): "hello", " world" -> "hello", "Ġworld"
//   h e l l o -> (h,e)#1 -> he l l o -> (l,l)#3 -> he ll o -> (he,ll)#4 -> hell o -> (hell,o)#5 = 261
//   Ġ w o r l d -> (Ġ,w)#6 -> (o,r)#7 -> (Ġw,or)#8 -> (Ġwor,l)#9 -> (Ġworl,d)#10 = 266
const FOLDER = join(import.meta.dirname, '../../test/fixtures/tokenizers/bytelevel-bpe');

describe('byte-level BPE tokenizer (SmolLM2 style)', () => {
  let tok: Tokenizer;
  beforeAll(async () => {
    tok = await Tokenizer.fromFolder(FOLDER);
  });

  it.each([
    ['hello world', [261, 266]],
    // "the" has no leading space, so only (h,e) applies: t=116, he=257; " cat" has no merges.
    ['the cat', [116, 257, 32, 99, 97, 116]],
    // Ġ t h e -> (Ġ,t)#0 -> Ġt h e -> (h,e)#1 -> Ġt he -> (Ġt,he)#2 = 258
    ['hello the world', [261, 258, 266]],
    // Digits splits every digit off first; the space before them is its own piece: Ġ=32.
    ['abc 123', [97, 98, 99, 32, 49, 50, 51]],
    // The regex keeps the last space for the word: "a", "ĠĠ" (merge #11 = 267), "Ġb".
    ['a   b', [97, 267, 32, 98]],
    // " 😀!" is one piece, bytes 20 F0 9F 98 80 21 = Ġ ð Ł ĺ Ģ !:
    // (ð,Ł)#12 -> Ġ ðŁ ĺ Ģ ! -> (Ġ,ðŁ)#13 -> ĠðŁ(269) ĺ(0x98) Ģ(0x80) !(0x21)
    [' 😀!', [269, 0x98, 0x80, 0x21]],
    // "hello" after a space: (h,e) (l,l) (he,ll) (hell,o) then (Ġ,hello)#14 = 270
    ['say hello', [115, 97, 121, 270]],
    ['line\nnext', [108, 105, 110, 101, 10, 110, 101, 120, 116]],
  ])('encodes %j', (text, ids) => {
    expect(tok.encode(text)).toEqual(ids);
  });

  it('splits special and added tokens out of the text before BPE', () => {
    // <|im_start|>=272 user=117 115 101 114 \n=10 hi=104 105 <|im_end|>=273
    expect(tok.encode('<|im_start|>user\nhi<|im_end|>')).toEqual([
      272, 117, 115, 101, 114, 10, 104, 105, 273,
    ]);
    // <think> is an added token that is not special.
    expect(tok.encode('a<think>b')).toEqual([97, 274, 98]);
    expect(tok.encode('hello<|endoftext|>')).toEqual([261, 271]);
  });

  it('adds no special tokens: the ByteLevel post-processor adds none', () => {
    expect(tok.addBosToken).toBe(false);
    expect(tok.addEosToken).toBe(false);
    expect(tok.encode('hello', { addSpecialTokens: true })).toEqual([261]);
  });

  it('decodes back to the exact text', () => {
    for (const text of [
      'hello world',
      'a   b',
      ' 😀!',
      'abc 123',
      '<|im_start|>user\nhi there, ça va? 日本<|im_end|>\n',
      'a<think>b',
    ]) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it('drops special tokens, not other added tokens, when asked', () => {
    const ids = tok.encode('<|im_start|>a<think>b<|im_end|>');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('a<think>b');
    expect(tok.decode(ids)).toBe('<|im_start|>a<think>b<|im_end|>');
  });

  it('decodes ids it does not know to nothing, and [] to ""', () => {
    expect(tok.decode([261, 9999, 266])).toBe('hello world');
    expect(tok.decode([])).toBe('');
  });

  it('reads the special tokens, added tokens and limits of its config', () => {
    expect([tok.bosToken, tok.bosTokenId]).toEqual(['<|im_start|>', 272]);
    expect([tok.eosToken, tok.eosTokenId]).toEqual(['<|im_end|>', 273]);
    expect([tok.padToken, tok.padTokenId]).toEqual(['<|im_end|>', 273]);
    expect([tok.unkToken, tok.unkTokenId]).toEqual(['<|endoftext|>', 271]);
    expect(tok.specialTokenIds).toEqual(new Set([271, 272, 273]));
    expect(tok.addedTokens.map((t) => [t.id, t.content, t.special])).toEqual([
      [271, '<|endoftext|>', true],
      [272, '<|im_start|>', true],
      [273, '<|im_end|>', true],
      [274, '<think>', false],
    ]);
    expect(tok.vocabSize).toBe(275);
    expect(tok.modelMaxLength).toBe(8192);
    expect(tok.chatTemplate).toContain("'<|im_start|>' + message['role']");
    expect(tok.tokenToId('Ġworld')).toBe(266);
    expect(tok.idToToken(269)).toBe('ĠðŁ');
    expect(tok.idToToken(275)).toBeUndefined();
  });

  it('wraps the text as a Llama 3 style Sequence post-processor declares', () => {
    const files = byteLevelBpeFixture();
    const json = files['tokenizer.json'] as Record<string, unknown>;
    const llama3 = Tokenizer.fromFiles({
      tokenizer: {
        ...json,
        post_processor: {
          type: 'Sequence',
          processors: [
            { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
            {
              type: 'TemplateProcessing',
              single: [
                { SpecialToken: { id: '<|endoftext|>', type_id: 0 } },
                { Sequence: { id: 'A', type_id: 0 } },
              ],
              pair: [],
              special_tokens: {
                '<|endoftext|>': { id: '<|endoftext|>', ids: [271], tokens: ['<|endoftext|>'] },
              },
            },
          ],
        },
      },
      config: { ...(files['tokenizer_config.json'] as object), bos_token: '<|endoftext|>' },
    });
    expect(llama3.addBosToken).toBe(true);
    expect(llama3.encode('hello')).toEqual([271, 261]);
    expect(llama3.encode('hello', { addSpecialTokens: false })).toEqual([261]);
  });

  it('follows add_bos_token / add_eos_token in the config over the post-processor', () => {
    const files = byteLevelBpeFixture();
    const withFlags = Tokenizer.fromFiles({
      tokenizer: files['tokenizer.json'],
      config: {
        ...(files['tokenizer_config.json'] as object),
        add_bos_token: true,
        add_eos_token: true,
      },
    });
    expect([withFlags.addBosToken, withFlags.addEosToken]).toEqual([true, true]);
    expect(withFlags.encode('hello')).toEqual([272, 261, 273]);
  });
});
