import { splitLeadingSystem } from '../conversation/index.js';
import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Gemma (google/gemma-3-1b-it tokenizer_config.json, text content only): `<bos>` once, each turn
 * `<start_of_turn>{role}\n{content|trim}<end_of_turn>\n` with the assistant's role written
 * `model`, and the generation prompt `<start_of_turn>model\n`. Gemma has no system role: a system
 * message is folded into the first user turn as `{system}\n\n`. Roles must alternate.
 */
export const GEMMA_JINJA = [
  '{{ bos_token }}',
  "{%- if messages[0]['role'] == 'system' -%}",
  "    {%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}",
  '    {%- set loop_messages = messages[1:] -%}',
  '{%- else -%}',
  '    {%- set first_user_prefix = "" -%}',
  '    {%- set loop_messages = messages -%}',
  '{%- endif -%}',
  '{%- for message in loop_messages -%}',
  "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}",
  '        {{ raise_exception("Conversation roles must alternate user/assistant/user/assistant/...") }}',
  '    {%- endif -%}',
  "    {%- if (message['role'] == 'assistant') -%}",
  '        {%- set role = "model" -%}',
  '    {%- else -%}',
  "        {%- set role = message['role'] -%}",
  '    {%- endif -%}',
  "    {{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else \"\") }}",
  "    {{- message['content'] | trim }}",
  "    {{- '<end_of_turn>\\n' }}",
  '{%- endfor -%}',
  '{%- if add_generation_prompt -%}',
  "    {{'<start_of_turn>model\\n'}}",
  '{%- endif -%}',
].join('\n');

export const gemma = defineBuiltin({
  id: 'gemma',
  description:
    'Gemma: <start_of_turn>user/model ... <end_of_turn>, system folded into the first user turn',
  jinja: GEMMA_JINJA,
  rules: { roles: ['system', 'user', 'assistant'], alternates: true },
  defaults: { bos_token: '<bos>', eos_token: '<eos>' },
  render(messages, opts) {
    const out = new TextBuilder().add(opts.bosToken);
    const { system: leading, rest: turns } = splitLeadingSystem(messages);
    const system = leading?.content;
    turns.forEach((m, i) => {
      if (m.role === 'assistant') {
        out.add('<start_of_turn>model\n').add(`${m.content.trim()}<end_of_turn>`, 'assistant');
        out.add('\n');
        return;
      }
      out.add('<start_of_turn>user\n');
      if (i === 0 && system !== undefined) out.add(`${system}\n\n`, 'system');
      out.add(m.content.trim(), 'user').add('<end_of_turn>\n');
    });
    if (opts.addGenerationPrompt) out.add('<start_of_turn>model\n');
    return out.build();
  },
});
