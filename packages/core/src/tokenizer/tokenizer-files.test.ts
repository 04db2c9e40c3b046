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
