import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Phi-3 (microsoft/Phi-3-mini-4k-instruct tokenizer_config.json): each turn
 * `<|{role}|>\n{content}<|end|>\n`, the generation prompt `<|assistant|>\n`, and a conversation
 * rendered without a generation prompt ends with the eos token (`<|endoftext|>`). The assistant
 * turn ends at `<|end|>`, which is the token Phi-3 stops on.
 */
export const PHI3_JINJA =
  "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}";

export const phi3 = defineBuiltin({
  id: 'phi3',
  description: 'Phi-3: <|system|>/<|user|>/<|assistant|>\\n...<|end|>',
  jinja: PHI3_JINJA,
  rules: { roles: ['system', 'user', 'assistant'] },
  defaults: { eos_token: '<|endoftext|>' },
  render(messages, opts) {
    const out = new TextBuilder();
    for (const m of messages) {
      out.add(`<|${m.role}|>\n`);
      if (m.role === 'assistant') out.add(`${m.content}<|end|>`, 'assistant').add('\n');
      else out.add(m.content, m.role).add('<|end|>\n');
    }
    out.add(opts.addGenerationPrompt ? '<|assistant|>\n' : opts.eosToken);
    return out.build();
  },
});
