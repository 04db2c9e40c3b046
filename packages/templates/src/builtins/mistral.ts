import { splitLeadingSystem } from '../conversation/index.js';
import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Mistral instruct in the form of mistralai's 2024 template update (Mistral-7B-Instruct-v0.3
 * without tools, Codestral-22B-v0.1, Mistral-Small-Instruct-2409): `<s>` once, then
 * `[INST] {user}[/INST]` and ` {assistant}</s>`. A system message goes before the last message's
 * user text, followed by a blank line, and only when the conversation ends with a user turn: a
 * conversation that ends with an answer carries no system text, as with Mistral's own template.
 * Roles must alternate; contents are not stripped.
 */
export const MISTRAL_JINJA = [
  "{%- if messages[0]['role'] == 'system' %}",
  "    {%- set system_message = messages[0]['content'] %}",
  '    {%- set loop_messages = messages[1:] %}',
  '{%- else %}',
  '    {%- set loop_messages = messages %}',
  '{%- endif %}',
  '',
  '{{- bos_token }}',
  '{%- for message in loop_messages %}',
  "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}",
  "        {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}",
  '    {%- endif %}',
  "    {%- if message['role'] == 'user' %}",
  '        {%- if loop.last and system_message is defined %}',
  "            {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}",
  '        {%- else %}',
  "            {{- '[INST] ' + message['content'] + '[/INST]' }}",
  '        {%- endif %}',
  "    {%- elif message['role'] == 'assistant' %}",
  "        {{- ' ' + message['content'] + eos_token}}",
  '    {%- else %}',
  "        {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}",
  '    {%- endif %}',
  '{%- endfor %}',
].join('\n');

export const mistral = defineBuiltin({
  id: 'mistral',
  description:
    'Mistral instruct: <s>[INST] ...[/INST] ...</s> (Mistral-7B-Instruct-v0.3, Codestral)',
  jinja: MISTRAL_JINJA,
  rules: { roles: ['system', 'user', 'assistant'], alternates: true },
  defaults: { bos_token: '<s>', eos_token: '</s>' },
  render(messages, opts) {
    const out = new TextBuilder().add(opts.bosToken);
    const { system: leading, rest: turns } = splitLeadingSystem(messages);
    const system = leading?.content;
    turns.forEach((m, i) => {
      if (m.role === 'assistant') {
        out.add(` ${m.content}${opts.eosToken}`, 'assistant');
        return;
      }
      out.add('[INST] ');
      if (i === turns.length - 1 && system !== undefined) out.add(`${system}\n\n`, 'system');
      out.add(m.content, 'user').add('[/INST]');
    });
    return out.build();
  },
});
