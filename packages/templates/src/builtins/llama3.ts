import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Llama 3 (meta-llama/Meta-Llama-3-8B-Instruct tokenizer_config.json): the first turn opens with
 * `<|begin_of_text|>`, each turn is `<|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|>`,
 * and the generation prompt is the assistant header. Contents are trimmed (JavaScript's `trim`,
 * as @huggingface/jinja implements the filter).
 */
export const LLAMA3_JINJA =
  "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

export const llama3 = defineBuiltin({
  id: 'llama3',
  description: 'Llama 3: <|start_header_id|>role<|end_header_id|>\\n\\n...<|eot_id|>',
  jinja: LLAMA3_JINJA,
  rules: { roles: ['system', 'user', 'assistant', 'tool', 'function'] },
  defaults: { bos_token: '<|begin_of_text|>', eos_token: '<|eot_id|>' },
  render(messages, opts) {
    const out = new TextBuilder();
    messages.forEach((m, i) => {
      if (i === 0) out.add(opts.bosToken);
      out.add(`<|start_header_id|>${m.role}<|end_header_id|>\n\n`);
      if (m.role === 'assistant') out.add(`${m.content.trim()}<|eot_id|>`, 'assistant');
      else out.add(m.content.trim(), m.role).add('<|eot_id|>');
    });
    if (opts.addGenerationPrompt) out.add('<|start_header_id|>assistant<|end_header_id|>\n\n');
    return out.build();
  },
});
