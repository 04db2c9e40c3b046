import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { Tokenizer } from './tokenizer.js';
import {
  byteLevelBpeFixture,
  fixtureFileText,
  TOKENIZER_FIXTURES,
  writeFixtureFolder,
} from './tokenizer-fixtures.test-utils.js';

type Model = { vocab: Record<string, number>; merges: string[] } & Record<string, unknown>;

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tokenizers');

describe('tokenizer fixtures', () => {
  it.each(Object.entries(TOKENIZER_FIXTURES))(
    '%s is committed as the tests build it',
    async (name, build) => {
      for (const [file, content] of Object.entries(build())) {
        expect(await readFile(join(FIXTURES, name, file), 'utf8')).toBe(fixtureFileText(content));
      }
    },
  );
});

describe('Tokenizer.fromFolder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunekit-tokenizer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the folder and what to provide when tokenizer.json is missing', async () => {
    await writeFile(join(dir, 'tokenizer.model'), 'sentencepiece');
    const err = await Tokenizer.fromFolder(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(join(dir, 'tokenizer.json'));
    expect((err as Error).message).toContain('tokenizer.model');
    expect((err as Error).message).toContain('save_pretrained');
  });

  it('says so when the folder does not exist', async () => {
    await expect(Tokenizer.fromFolder(join(dir, 'nope'))).rejects.toThrow(/no such folder/);
  });

  it('names the file that is not valid JSON', async () => {
    await writeFixtureFolder(dir, byteLevelBpeFixture());
    await writeFile(join(dir, 'tokenizer_config.json'), '{"bos_token": ');
    await expect(Tokenizer.fromFolder(dir)).rejects.toThrow(
      `${join(dir, 'tokenizer_config.json')}: not valid JSON`,
    );
    await writeFile(join(dir, 'tokenizer_config.json'), '{}');
    await writeFile(join(dir, 'tokenizer.json'), 'not json');
    await expect(Tokenizer.fromFolder(dir)).rejects.toThrow(
      `${join(dir, 'tokenizer.json')}: not valid JSON`,
    );
  });

  it('names the file and field of a bad value', async () => {
    await writeFixtureFolder(dir, byteLevelBpeFixture());
    await writeFile(join(dir, 'tokenizer_config.json'), '{"add_bos_token": "yes"}');
    await expect(Tokenizer.fromFolder(dir)).rejects.toThrow(
      new RegExp(`${join(dir, 'tokenizer_config.json')}: add_bos_token: .*boolean`),
    );
  });

  it('names the field of a tokenizer_config.json value of the wrong type and what it takes', async () => {
    await writeFixtureFolder(dir, byteLevelBpeFixture());
    const config = join(dir, 'tokenizer_config.json');
    await writeFile(config, '{"eos_token": 3}');
    await expect(Tokenizer.fromFolder(dir)).rejects.toThrow(
      `${config}: eos_token: expected a token: a string, or an object with its "content"`,
    );
    await writeFile(config, '{"chat_template": [{"name": "default"}]}');
    await expect(Tokenizer.fromFolder(dir)).rejects.toThrow(
      `${config}: chat_template: expected a Jinja template string, or a list of {"name", "template"} objects`,
    );
  });

  it('names tokenizer.json when the library rejects a component', async () => {
    const files = byteLevelBpeFixture();
    const json = files['tokenizer.json'] as object;
    await writeFixtureFolder(dir, {
      ...files,
      'tokenizer.json': { ...json, decoder: { type: 'Mystery' } },
    });
    await expect(Tokenizer.fromFolder(dir)).rejects.toThrow(
      `${join(dir, 'tokenizer.json')}: Unknown Decoder type: Mystery`,
    );
  });

  // before: a valid JSON of the wrong shape failed with "Cannot read properties of undefined"
  it.each([
    ['no model', () => ({ model: undefined }), 'model: missing: the tokenizer model'],
    [
      'no merges',
      (m: Model) => ({ model: { ...m, merges: undefined } }),
      'model.merges: expected the list of BPE merges',
    ],
    [
      'merges an object',
      (m: Model) => ({ model: { ...m, merges: { a: 1 } } }),
      'model.merges: expected the list',
    ],
    [
      'a merge without its space',
      (m: Model) => ({ model: { ...m, merges: [...m.merges.slice(0, 2), 'ab'] } }),
      'model.merges[2]: expected "left right" or [left, right], got "ab"',
    ],
    [
      'a merge that is a number',
      (m: Model) => ({ model: { ...m, merges: [7] } }),
      'model.merges[0]: expected "left right" or [left, right], got 7',
    ],
    [
      'vocab missing',
      (m: Model) => ({ model: { ...m, vocab: undefined } }),
      'model.vocab: missing',
    ],
    [
      'vocab an array',
      (m: Model) => ({ model: { ...m, vocab: ['a', 'b'] } }),
      'model.vocab: expected an object mapping each token to its id, got an array ["a","b"]',
    ],
    [
      'an id that is not a number',
      (m: Model) => ({ model: { ...m, vocab: { ...m.vocab, x: 'one' } } }),
      'model.vocab.x: expected the token\'s id, a non-negative integer, got "one"',
    ],
    [
      'an unknown model type',
      (m: Model) => ({ model: { ...m, type: 'Mystery' } }),
      "model.type: 'Mystery' is not a model type",
    ],
    [
      'a Unigram vocab of ids',
      () => ({ model: { type: 'Unigram', vocab: { a: 1 } } }),
      'model.vocab: expected a list of [piece, score] pairs',
    ],
    ['added_tokens an object', () => ({ added_tokens: { a: 1 } }), 'added_tokens: '],
    [
      'an added token without id',
      () => ({ added_tokens: [{ content: 'x' }] }),
      'added_tokens[0].id: ',
    ],
    [
      'a Sequence whose list is not one',
      () => ({ pre_tokenizer: { type: 'Sequence', pretokenizers: 3 } }),
      'pre_tokenizer.pretokenizers: ',
    ],
  ])('names the file and field of a tokenizer.json with %s', async (_, change, message) => {
    const files = byteLevelBpeFixture();
    const json = files['tokenizer.json'] as { model: Model };
    await writeFixtureFolder(dir, {
      ...files,
      'tokenizer.json': { ...json, ...change(json.model) },
    });
    const err = await Tokenizer.fromFolder(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(`${join(dir, 'tokenizer.json')}: ${message}`);
  });

  it('works without tokenizer_config.json, adding nothing special', async () => {
    const files = byteLevelBpeFixture();
    await writeFixtureFolder(dir, { 'tokenizer.json': files['tokenizer.json'] });
    const tok = await Tokenizer.fromFolder(dir);
    expect(tok.encode('hello world')).toEqual([261, 266]);
    expect(tok.bosToken).toBeUndefined();
    expect(tok.chatTemplate).toBeUndefined();
  });

  it('prefers chat_template.jinja to the config key, as transformers does', async () => {
    await writeFixtureFolder(dir, byteLevelBpeFixture());
    await writeFile(join(dir, 'chat_template.jinja'), '{{ messages[0].content }}');
    expect((await Tokenizer.fromFolder(dir)).chatTemplate).toBe('{{ messages[0].content }}');
  });
});

describe('named special tokens', () => {
  it('registers a named token missing from added_tokens as a special added token', () => {
    const files = byteLevelBpeFixture();
    const json = files['tokenizer.json'] as { added_tokens: { content: string }[] };
    const tok = Tokenizer.fromFiles({
      // "hello" is only a model piece until the config names it; then it splits out and is special.
      tokenizer: json,
      config: { eos_token: 'hello', pad_token: '<pad>' },
    });
    expect(tok.eosTokenId).toBe(261);
    expect(tok.specialTokenIds.has(261)).toBe(true);
    expect(tok.encode('sayhello')).toEqual([115, 97, 121, 261]);
    // <pad> is nowhere in the vocabulary: it gets the next id, as transformers gives it.
    expect(tok.padTokenId).toBe(275);
    expect(tok.vocabSize).toBe(276);
    expect(tok.decode([261, 275], { skipSpecialTokens: true })).toBe('');
  });
});
