import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../tensor/index.js';
import { decodedSpans } from './decoded-spans.js';
import { alignTexts } from './text-alignment.js';
import { Tokenizer } from './tokenizer.js';
import { byteLevelBpeFixture } from './tokenizer-fixtures.test-utils.js';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tokenizers');

/** Each token's text in `text`, by its offsets. */
function pieces(tok: Tokenizer, text: string): string[] {
  return tok.encodeWithOffsets(text).offsets.map(([s, e]) => text.slice(s, e));
}

describe('decodedSpans', () => {
  // A decoder over single-character "tokens" that drops a leading space from the first one,
  // as sentencepiece decoders do.
  const chars = ' ab c';
  const decode = (ids: readonly number[]) =>
    ids
      .map((i) => chars[i])
      .join('')
      .replace(/^ /, '');

  it('gives each token the text it adds, the first token its stripped text', () => {
    const { text, spans } = decodedSpans([0, 1, 2, 0, 4], decode);
    expect(text).toBe('ab c');
    expect(spans).toEqual([
      [0, 0],
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });

  it('gives every token that holds part of a character the whole character', () => {
    // Tokens are UTF-8 bytes: "a€b" is 61 | E2 82 AC | 62.
    const bytes = [0x61, 0xe2, 0x82, 0xac, 0x62];
    const utf8 = (ids: readonly number[]) =>
      new TextDecoder().decode(Uint8Array.from(ids, (i) => bytes[i]));
    expect(decodedSpans([0, 1, 2, 3, 4], utf8)).toEqual({
      text: 'a€b',
      spans: [
        [0, 1],
        [1, 2],
        [1, 2],
        [1, 2],
        [2, 3],
      ],
    });
  });
});

describe('decodedSpans on random byte tokens', () => {
  // Random texts of 1- to 4-byte characters, cut into tokens of 1 to 3 bytes at random: tokens
  // end inside characters anywhere, as byte-level BPE tokens do (encoding valid text).
  const chars = ['a', ' ', 'é', '€', '😀'];

  it('decodes to the whole text, each token spanning a range inside it, in order', () => {
    const random = seededRandom(7);
    const pick = (n: number) => Math.floor(random() * n);
    for (let trial = 0; trial < 300; trial++) {
      const source = Array.from({ length: 1 + pick(8) }, () => chars[pick(chars.length)]).join('');
      const bytes = new TextEncoder().encode(source);
      const tokens: Uint8Array[] = [];
      for (let at = 0; at < bytes.length; ) {
        const next = Math.min(bytes.length, at + 1 + pick(3));
        tokens.push(bytes.slice(at, next));
        at = next;
      }
      const ids = tokens.map((_, i) => i);
      const decode = (window: readonly number[]) =>
        new TextDecoder().decode(Uint8Array.from(window.flatMap((i) => [...tokens[i]])));
      const { text, spans } = decodedSpans(ids, decode);
      expect(text, source).toBe(source);
      expect(spans, source).toHaveLength(ids.length);
      spans.forEach(([start, end], i) => {
        expect(0 <= start && start <= end && end <= text.length, `${source} @${i}`).toBe(true);
        if (i > 0) expect(start, `${source} @${i}`).toBeGreaterThanOrEqual(spans[i - 1][0]);
      });
    }
  });
});

describe('alignTexts', () => {
  it('maps equal texts one to one', () => {
    expect(alignTexts('hello', 'hello').span(1, 4)).toEqual([1, 4]);
  });

  it('maps a leading space the decoder added onto nothing', () => {
    const a = alignTexts(' Hello world', 'Hello world');
    expect(a.span(0, 6)).toEqual([0, 5]);
    expect(a.span(6, 12)).toEqual([5, 11]);
    expect(a.span(0, 1)).toEqual([0, 0]);
  });

  it('leaves whitespace the tokenizer dropped out of every span', () => {
    // "<x>   user": an rstrip added token ate the spaces.
    const a = alignTexts('<x>user', '<x>   user');
    expect(a.span(0, 3)).toEqual([0, 3]);
    expect(a.span(3, 7)).toEqual([6, 10]);
  });

  it('covers a replaced block wholly from any span that touches it', () => {
    // A lowercasing normaliser: "Hello World" decodes to "hello world".
    const a = alignTexts('hello world', 'Hello World');
    expect(a.span(0, 5)).toEqual([0, 5]);
    expect(a.span(5, 11)).toEqual([5, 11]);
  });
});

describe('Tokenizer.encodeWithOffsets', () => {
  let byteLevel: Tokenizer;
  let llama: Tokenizer;
  beforeAll(async () => {
    byteLevel = await Tokenizer.fromFolder(join(FIXTURES, 'bytelevel-bpe'));
    llama = await Tokenizer.fromFolder(join(FIXTURES, 'llama-sentencepiece'));
  });

  it('returns the same ids as encode', () => {
    const text = '<|im_start|>user\nhi 😀<|im_end|>';
    expect(byteLevel.encodeWithOffsets(text).ids).toEqual(byteLevel.encode(text));
    expect(llama.encodeWithOffsets('Hé 😀').ids).toEqual(llama.encode('Hé 😀'));
  });

  it('covers a byte-level text token by token, spaces with the word after them', () => {
    expect(pieces(byteLevel, 'hello the world')).toEqual(['hello', ' the', ' world']);
    expect(pieces(byteLevel, '<|im_start|>user\nhi<|im_end|>')).toEqual([
      '<|im_start|>',
      'u',
      's',
      'e',
      'r',
      '\n',
      'h',
      'i',
      '<|im_end|>',
    ]);
  });

  it('gives tokens that split an emoji the whole emoji', () => {
    // ĠðŁ = space + F0 9F; ĺ = 98 and Ģ = 80 finish the emoji.
    expect(byteLevel.encodeWithOffsets(' 😀!').offsets).toEqual([
      [0, 3],
      [1, 3],
      [1, 3],
      [3, 4],
    ]);
  });

  it('maps sentencepiece tokens onto the text, the prepended ▁ onto nothing', () => {
    expect(llama.encodeWithOffsets('Hello world').offsets).toEqual([
      [0, 0], // <s>, added by add_bos_token
      [0, 5], // ▁Hello: its ▁ was prepended, not typed
      [5, 11], // ▁world: its ▁ is the typed space
    ]);
    expect(pieces(llama, 'Hé 😀')).toEqual(['', '', 'H', 'é', 'é', ' ', '😀', '😀', '😀', '😀']);
    expect(pieces(llama, '<|im_start|>Hello<|im_end|>')).toEqual([
      '',
      '<|im_start|>',
      'Hello',
      '<|im_end|>',
    ]);
  });

  it('leaves out the whitespace an rstrip added token takes', () => {
    const files = byteLevelBpeFixture();
    const json = files['tokenizer.json'] as { added_tokens: { content: string }[] };
    const stripping = Tokenizer.fromFiles({
      tokenizer: {
        ...json,
        added_tokens: json.added_tokens.map((t) =>
          t.content === '<|im_start|>' ? { ...t, rstrip: true } : t,
        ),
      },
      config: files['tokenizer_config.json'],
    });
    const text = '<|im_start|>  hello';
    expect(stripping.encode(text)).toEqual([272, 261]);
    expect(stripping.encodeWithOffsets(text).offsets).toEqual([
      [0, 12],
      [14, 19],
    ]);
  });

  it('stays linear on long texts', () => {
    const text = 'hello the world, 😀 ça va? 123\n'.repeat(1000);
    const started = performance.now();
    const { ids, offsets } = byteLevel.encodeWithOffsets(text);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(offsets).toHaveLength(ids.length);
    expect(offsets.at(-1)).toEqual([text.length - 1, text.length]);
  });
});
