import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Plain text: the contents back to back with nothing between them, each assistant content
 * followed by the eos token (when the tokenizer has one) so the model learns where to stop.
 * For base models and prompt/completion data that carries its own formatting.
 */
export const RAW_JINJA =
  "{% for message in messages %}{{ message['content'] }}{% if message['role'] == 'assistant' and eos_token is defined %}{{ eos_token }}{% endif %}{% endfor %}";

export const raw = defineBuiltin({
  id: 'raw',
  description: 'Plain text: contents back to back, eos after each assistant turn',
  jinja: RAW_JINJA,
  rules: { roles: ['system', 'user', 'assistant', 'tool', 'function'] },
  defaults: {},
  render(messages, opts) {
    const out = new TextBuilder();
    for (const m of messages) {
      out.add(m.role === 'assistant' ? `${m.content}${opts.eosToken}` : m.content, m.role);
    }
    return out.build();
  },
});
