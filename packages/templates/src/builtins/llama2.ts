import { splitLeadingSystem } from '../conversation/index.js';
import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Llama 2 chat (meta-llama/Llama-2-7b-chat-hf tokenizer_config.json): every user turn is
 * `<s>[INST] {content} [/INST]`, every assistant turn ` {content} </s>`, contents stripped; a
 * system message goes into the first user turn as `<<SYS>>\n{system}\n<</SYS>>\n\n`. Roles must
 * alternate user/assistant. There is no generation prompt: a prompt already ends with `[/INST]`.
 */
export const LLAMA2_JINJA =
  "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

export const llama2 = defineBuiltin({
  id: 'llama2',
  description: 'Llama 2 chat: <s>[INST] <<SYS>>...<</SYS>> ... [/INST] ... </s>',
  jinja: LLAMA2_JINJA,
  rules: { roles: ['system', 'user', 'assistant'], alternates: true },
  defaults: { bos_token: '<s>', eos_token: '</s>' },
  render(messages, opts) {
    const out = new TextBuilder();
    const { system: leading, rest: turns } = splitLeadingSystem(messages);
    const system = leading?.content;
    turns.forEach((m, i) => {
      if (m.role === 'assistant') {
        out.add(` ${m.content.trim()} ${opts.eosToken}`, 'assistant');
        return;
      }
      out.add(`${opts.bosToken}[INST] `);
      if (i === 0 && system !== undefined) {
        // The template strips the joined text, so only the outer ends lose whitespace.
        const joined = `<<SYS>>\n${system}\n<</SYS>>\n\n${m.content}`.trim();
        const split = joined.length - m.content.trimEnd().length;
        out.add(joined.slice(0, split), 'system').add(joined.slice(split), 'user');
      } else {
        out.add(m.content.trim(), 'user');
      }
      out.add(' [/INST]');
    });
    return out.build();
  },
});
