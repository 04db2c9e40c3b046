import { defineBuiltin } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * ChatML (OpenAI's Chat Markup Language), as Hugging Face's chat-templating docs give it and
 * as Qwen2/SmolLM2 instruct models use it: each turn is `<|im_start|>{role}\n{content}<|im_end|>\n`,
 * and the generation prompt is `<|im_start|>assistant\n`. The Jinja below is the ChatML template
 * of the transformers docs ("Templates for Chat Models", `chat_templating.md`).
 */
export const CHATML_JINJA =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

export const chatml = defineBuiltin({
  id: 'chatml',
  description: 'ChatML: <|im_start|>role\\n...<|im_end|> (Qwen2, SmolLM2, OpenHermes)',
  jinja: CHATML_JINJA,
  rules: { roles: ['system', 'user', 'assistant', 'tool', 'function'] },
  defaults: {},
  render(messages, opts) {
    const out = new TextBuilder();
    for (const m of messages) {
      out.add(`<|im_start|>${m.role}\n`);
      // The assistant span ends with <|im_end|>; the newline after it is never generated.
      if (m.role === 'assistant') out.add(`${m.content}<|im_end|>`, 'assistant').add('\n');
      else out.add(m.content, m.role).add('<|im_end|>\n');
    }
    if (opts.addGenerationPrompt) out.add('<|im_start|>assistant\n');
    return out.build();
  },
});
