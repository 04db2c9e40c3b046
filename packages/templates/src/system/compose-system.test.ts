import { UserError } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { weatherTool } from '../../test/conversations.js';
import { QWEN25_TEMPLATE } from '../../test/qwen25-template.js';
import { chatml } from '../builtins/index.js';
import { createJinjaTemplate } from '../jinja/index.js';
import { composeSystem, withSystem } from './compose-system.js';
import { PERSONAS, REFUSAL_POLICIES, SYSTEM_PHRASES } from './presets.js';

describe('composeSystem', () => {
  it('joins the parts in a fixed order, separated by blank lines', () => {
    const { content, tools } = composeSystem(
      {
        priority: true,
        refusal_policy: 'harmful',
        rules: ['Answer in English.', 'Cite sources.'],
        text: 'The user is a student.',
        persona: 'tutor',
      },
      { nativeTools: false },
    );
    expect(content).toBe(
      [
        PERSONAS.tutor,
        'The user is a student.',
        'Follow these rules:\n- Answer in English.\n- Cite sources.',
        REFUSAL_POLICIES.harmful,
        SYSTEM_PHRASES.priority,
      ].join('\n\n'),
    );
    expect(tools).toBeUndefined();
  });

  it('has every persona preset the issue names, and custom text', () => {
    expect(Object.keys(PERSONAS)).toEqual([
      'tutor',
      'lawyer',
      'doctor',
      'customer_service',
      'writing_assistant',
      'coding_assistant',
    ]);
    expect(
      composeSystem({ persona: { text: 'You are a pirate.' } }, { nativeTools: false }).content,
    ).toBe('You are a pirate.');
  });

  it('describes tools in text, or hands them to a template that renders them', () => {
    const text = composeSystem({ tools: [weatherTool] }, { nativeTools: false });
    expect(text.content).toContain('- get_weather: Get the current weather for a city.');
    expect(text.tools).toBeUndefined();
    const native = composeSystem({ tools: [weatherTool] }, { nativeTools: true });
    expect(native).toEqual({ content: '', tools: [weatherTool] });
  });

  it('rejects a spec with an unknown preset or key, naming it', () => {
    const run = () => composeSystem({ persona: 'astronaut' } as never, { nativeTools: false });
    expect(run).toThrow(UserError);
    expect(run).toThrow(/^system: persona: /);
    expect(() => composeSystem({ rule: ['x'] } as never, { nativeTools: false })).toThrow(
      /^system: Unrecognized key: "rule"/,
    );
  });
});

describe('withSystem', () => {
  const messages = [
    { role: 'system' as const, content: 'Existing.' },
    { role: 'user' as const, content: 'Hi' },
  ];

  it('puts the composed message first, before an existing system message', () => {
    const out = withSystem(messages, { persona: 'coding_assistant' }, chatml);
    expect(out.messages).toEqual([
      { role: 'system', content: `${PERSONAS.coding_assistant}\n\nExisting.` },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it("uses a Jinja template's own tool rendering when it has one", () => {
    const qwen = createJinjaTemplate(QWEN25_TEMPLATE);
    const out = withSystem(messages.slice(1), { tools: [weatherTool] }, qwen);
    expect(out.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    expect(out.tools).toEqual([weatherTool]);
    expect(qwen.render(out.messages, { tools: out.tools }).text).toContain('"name": "get_weather"');
  });
});
