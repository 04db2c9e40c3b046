import { describe, expect, it } from 'vitest';
import { firstMatchingRule } from './route-rules.js';
import { parseRouterConfig } from './router-config.js';

const config = parseRouterConfig({
  rules: [
    { adapter: 'calc', system: 'calculator' },
    { adapter: 'calc', regex: '\\d+\\s*\\+\\s*\\d+' },
    { adapter: 'facts', keywords: ['capital', 'colour'] },
    { adapter: 'Names', regex: 'Who', case_sensitive: true },
    { adapter: null, keywords: ['base'] },
  ],
});

describe('router rules', () => {
  it('picks the first rule whose conditions all hold, on the latest message and the system message', () => {
    const pick = (message: string, system?: string) =>
      firstMatchingRule(config.rules, { message, system });
    expect(pick('What is 2 + 3?')).toBe(1);
    expect(pick('What is 2 + 3?', 'You are a Calculator.')).toBe(0);
    expect(pick('The CAPITAL of Peru?')).toBe(2);
    // keywords match whole words only
    expect(pick('capitalise this')).toBe(-1);
    expect(pick('Who are you?')).toBe(3);
    expect(pick('who are you?')).toBe(-1);
    expect(pick('just the base please')).toBe(4);
    expect(config.rules[4].adapter).toBe('none');
    expect(config.default).toBe('none');
  });

  it('names the bad field of a router config', () => {
    expect(() => parseRouterConfig({ rules: [{ adapter: 'a' }] }, 'router.yaml')).toThrow(
      /router\.yaml: .*rules\[0\]: a rule needs regex, keywords or system/,
    );
    expect(() => parseRouterConfig({ rules: [{ adapter: 'a', regex: '(' }] })).toThrow(
      /rules\[0\]\.regex: not a valid regular expression/,
    );
    expect(() => parseRouterConfig({ rule: [] })).toThrow(/rule/);
  });
});
