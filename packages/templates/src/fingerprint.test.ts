import { describe, expect, it } from 'vitest';
import { CHATML_JINJA, chatml } from './builtins/index.js';
import { templateFingerprint, withChatTemplate } from './fingerprint.js';
import { jinja } from './jinja/index.js';

describe('templateFingerprint', () => {
  it('carries the exact Jinja text and its sha256', () => {
    const fingerprint = templateFingerprint(chatml);
    expect(fingerprint.chat_template).toBe(CHATML_JINJA);
    expect(fingerprint.sha256).toMatch(/^[0-9a-f]{64}$/);
    // sha256("abc"), FIPS 180-2 appendix B.1, through the same path.
    const abc = templateFingerprint({ ...chatml, chatTemplate: () => 'abc' });
    expect(abc.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it("of jinja, is the model's own template", () => {
    const context = { chat_template: '{{ messages }}' };
    expect(templateFingerprint(jinja, context)).toMatchObject({
      id: 'jinja',
      chat_template: '{{ messages }}',
    });
  });

  it('goes into the tokenizer_config.json of an output', () => {
    const config = { eos_token: '<|im_end|>', chat_template: 'old' };
    expect(withChatTemplate(config, templateFingerprint(chatml))).toEqual({
      eos_token: '<|im_end|>',
      chat_template: CHATML_JINJA,
    });
  });
});
