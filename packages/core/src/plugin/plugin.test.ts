import { describe, expect, it } from 'vitest';
import { UserError } from '../errors/index.js';
import { parsePlugin, parsePluginModule, type TunekitPlugin } from './plugin.js';

const good: TunekitPlugin = { name: 'tunekit-peft-ia3', coreRange: '^0.1.0', register: () => {} };

describe('parsePluginModule', () => {
  it('returns the exported plugin itself', () => {
    expect(parsePluginModule('tunekit-peft-ia3', { plugin: good, other: 1 })).toBe(good);
  });

  it('names what a module without a `plugin` export exports instead', () => {
    const run = () => parsePluginModule('tunekit-peft-ia3', { default: good, Ia3Method: {} });
    expect(run).toThrow(UserError);
    expect(run).toThrow(
      "plugin 'tunekit-peft-ia3' does not export `plugin` with name, coreRange and register(container); it exports `default`, `Ia3Method`",
    );
    expect(() => parsePluginModule('empty', {})).toThrow(/; it exports nothing$/);
  });

  it('names each malformed field', () => {
    const run = () => parsePluginModule('x', { plugin: { name: 'x', register: 'nope' } });
    expect(run).toThrow(
      /plugin\.coreRange: .*; plugin\.register: expected a function register\(container\)/,
    );
  });
});

describe('parsePlugin', () => {
  it('rejects an empty name', () => {
    expect(() => parsePlugin('#1', { ...good, name: '' })).toThrow(
      /^plugin '#1' does not export .*plugin\.name/,
    );
  });
});
