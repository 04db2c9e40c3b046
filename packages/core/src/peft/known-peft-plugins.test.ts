import { describe, expect, it } from 'vitest';
import { peftPluginHint } from './known-peft-plugins.js';

describe('peftPluginHint', () => {
  it("names tunekit's package for a known peft_type", () => {
    expect(peftPluginHint('PREFIX_TUNING')).toBe(
      'PREFIX_TUNING is in @tunekit/peft-prefix: npm install @tunekit/peft-prefix and load it (--plugin @tunekit/peft-prefix, or plugins: [@tunekit/peft-prefix] in the config)',
    );
    expect(peftPluginHint('LORA')).toContain('npm install @tunekit/peft-lora');
  });

  it('asks for the package that provides any other method', () => {
    for (const peftType of ['IA3', 'toString', 42])
      expect(peftPluginHint(peftType)).toMatch(/^install the plugin package that provides it/);
  });
});
