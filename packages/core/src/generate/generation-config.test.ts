import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { eosIds, readGenerationConfigFile, resolveGenerationConfig } from './generation-config.js';

const FIXTURES = join(import.meta.dirname, '../../test/fixtures/tokenizers');

describe('resolveGenerationConfig', () => {
  it("fills transformers' defaults and ignores keys it does not use", () => {
    const config = resolveGenerationConfig({ eos_token_id: [2, 7], bos_token_id: 1 });
    expect(config).toMatchObject({
      max_new_tokens: 20,
      do_sample: false,
      temperature: 1,
      top_k: 50,
      top_p: 1,
      repetition_penalty: 1,
    });
    expect([...eosIds(config)]).toEqual([2, 7]);
    expect([...eosIds(resolveGenerationConfig({ eos_token_id: 3 }))]).toEqual([3]);
    expect(eosIds(resolveGenerationConfig()).size).toBe(0);
  });

  it('lets later layers override earlier ones, and unset values override nothing', () => {
    const fromFile = { do_sample: true, temperature: 0.7, top_p: 0.9, pad_token_id: null };
    const config = resolveGenerationConfig(fromFile, { temperature: 0.2, top_p: undefined });
    expect(config).toMatchObject({ do_sample: true, temperature: 0.2, top_p: 0.9 });
    expect(config.pad_token_id).toBeUndefined();
  });

  it('names each bad field', () => {
    expect(() => resolveGenerationConfig({ top_p: 1.5, max_new_tokens: 0 })).toThrow(UserError);
    expect(() => resolveGenerationConfig({ top_p: 1.5, max_new_tokens: 0 })).toThrow(
      /max_new_tokens: .*; top_p: /,
    );
    expect(() => resolveGenerationConfig({ temperature: -1 })).toThrow(/temperature/);
  });
});

describe('generation_config.json', () => {
  it('reads a folder’s file, keeping keys it does not know', async () => {
    const config = await readGenerationConfigFile(join(FIXTURES, 'bytelevel-bpe'));
    expect(config).toMatchObject({
      eos_token_id: [273, 271],
      bos_token_id: 272,
      do_sample: true,
      temperature: 0.7,
      top_p: 0.9,
      transformers_version: '4.46.0',
    });
  });

  it('is undefined when the folder has none', async () => {
    expect(await readGenerationConfigFile(join(FIXTURES, 'llama-sentencepiece'))).toBeUndefined();
  });

  it('names the file and field of a bad value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-genconfig-'));
    try {
      await writeFile(join(dir, 'generation_config.json'), '{"top_p": 1.5}');
      await expect(readGenerationConfigFile(dir)).rejects.toThrow(
        `${join(dir, 'generation_config.json')}: top_p:`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ends generation at the config’s eos ids and the tokenizer’s eos', () => {
    expect(eosIds({ eos_token_id: [128001, 128009] }, { eosTokenId: 128009 })).toEqual(
      new Set([128001, 128009]),
    );
    expect(eosIds({ eos_token_id: 2 }, { eosTokenId: 7 })).toEqual(new Set([2, 7]));
    expect(eosIds({}, { eosTokenId: 7 })).toEqual(new Set([7]));
    expect(eosIds({}, { eosTokenId: undefined })).toEqual(new Set());
  });
});
