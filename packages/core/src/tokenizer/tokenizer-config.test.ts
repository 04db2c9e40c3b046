import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { parseTokenizerConfig, tokenContent } from './tokenizer-config.js';
import { parseTokenizerJson } from './tokenizer-json.js';

describe('parseTokenizerConfig', () => {
  it('accepts tokens as strings or AddedToken objects and keeps unknown keys', () => {
    const config = parseTokenizerConfig(
      {
        bos_token: { __type: 'AddedToken', content: '<s>', lstrip: false },
        eos_token: '</s>',
        pad_token: null,
        legacy: false,
      },
      'tokenizer_config.json',
    );
    expect(config.bos_token && tokenContent(config.bos_token)).toBe('<s>');
    expect(config.eos_token && tokenContent(config.eos_token)).toBe('</s>');
    expect(config.pad_token).toBeNull();
    expect(config.legacy).toBe(false);
    expect('add_bos_token' in config).toBe(false);
  });

  it('names the file and the field that is wrong', () => {
    const bad = () =>
      parseTokenizerConfig({ chat_template: [{ name: 'default' }] }, '/m/tokenizer_config.json');
    expect(bad).toThrow(UserError);
    expect(bad).toThrow(/^\/m\/tokenizer_config\.json: chat_template/);
    expect(() => parseTokenizerConfig({ eos_token: 7 }, 'tokenizer_config.json')).toThrow(
      /tokenizer_config\.json: eos_token/,
    );
  });
});

describe('parseTokenizerJson', () => {
  it('needs a model and well-formed added tokens', () => {
    expect(() => parseTokenizerJson({}, '/m/tokenizer.json')).toThrow(
      /^\/m\/tokenizer\.json: model: /,
    );
    expect(() =>
      parseTokenizerJson(
        { model: { type: 'BPE' }, added_tokens: [{ id: -1, content: 'x' }] },
        't.json',
      ),
    ).toThrow(/t\.json: added_tokens\[0\]\.id/);
  });

  it('fills components a file leaves out with null', () => {
    const json = parseTokenizerJson(
      { model: { type: 'BPE', vocab: {}, merges: [] } },
      'tokenizer.json',
    );
    expect([json.normalizer, json.pre_tokenizer, json.post_processor, json.decoder]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(json.added_tokens).toEqual([]);
  });
});
