import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Zephyr (HuggingFaceH4/zephyr-7b-beta tokenizer_config.json, also the alignment-handbook's
 * DEFAULT_CHAT_TEMPLATE): `<|system|>`, `<|user|>` and `<|assistant|>` tags, each turn closed by
 * the eos token and a newline. The generation prompt `<|assistant|>\n` is only written after a
 * last message (it sits inside the loop), so an empty conversation renders nothing.
 */
export const ZEPHYR_JINJA =
  "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

export const zephyr = defineBuiltin({
  id: 'zephyr',
  description: 'Zephyr: <|system|>/<|user|>/<|assistant|> tags closed by eos (zephyr-7b-beta)',
  jinja: ZEPHYR_JINJA,
  rules: { roles: ['system', 'user', 'assistant'] },
  defaults: { eos_token: '</s>' },
  render(messages, opts) {
    const out = new TextBuilder();
    for (const m of messages) {
      out.add(`<|${m.role}|>\n`);
      if (m.role === 'assistant') out.add(`${m.content}${opts.eosToken}`, 'assistant').add('\n');
      else out.add(m.content, m.role).add(`${opts.eosToken}\n`);
    }
    if (opts.addGenerationPrompt && messages.length > 0) out.add('<|assistant|>\n');
    return out.build();
  },
});
