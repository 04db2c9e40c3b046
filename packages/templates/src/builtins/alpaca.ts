import { UserError } from '@tunekit/core';
import { type BuiltinRenderOptions, defineBuiltin, type TextMessage } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';

/**
 * Stanford Alpaca's prompts, byte for byte as `PROMPT_DICT` in tatsu-lab/stanford_alpaca
 * train.py writes them. The with-input prompt is chosen when `input` is not empty
 * (`example.get("input", "") != ""`); the target is `output + eos_token` and the prompt carries
 * no loss. Stanford's prompt ends at "### Response:" with the output right after it; axolotl's
 * AlpacaPrompter (src/axolotl/prompters.py, prompt_style "instruct") ends it with a newline.
 */
const PREAMBLE_WITH_INPUT =
  'Below is an instruction that describes a task, paired with an input that provides further context. ' +
  'Write a response that appropriately completes the request.\n\n';
const PREAMBLE_NO_INPUT =
  'Below is an instruction that describes a task. ' +
  'Write a response that appropriately completes the request.\n\n';

interface AlpacaVariant {
  readonly id: string;
  readonly description: string;
  /** What follows "### Response:" before the output. */
  readonly afterResponse: string;
}

/**
 * The instruction is the user message; Alpaca's optional `input` is the template variable
 * `input` (`apply_chat_template(messages, input=...)` in transformers), so the record layer
 * renders `{instruction, input, output}` through the same template.
 */
function alpacaJinja(afterResponse: string): string {
  const response = `\\n\\n### Response:${afterResponse === '\n' ? '\\n' : ''}`;
  return [
    "{%- for message in messages -%}{%- if message['role'] == 'user' -%}",
    '{%- if input is defined and input -%}',
    `{{ '${jinjaString(PREAMBLE_WITH_INPUT)}### Instruction:\\n' + message['content'] + '\\n\\n### Input:\\n' + input + '${response}' }}`,
    '{%- else -%}',
    `{{ '${jinjaString(PREAMBLE_NO_INPUT)}### Instruction:\\n' + message['content'] + '${response}' }}`,
    '{%- endif -%}',
    "{%- elif message['role'] == 'assistant' -%}{{ message['content'] + eos_token }}",
    '{%- endif -%}{%- endfor -%}',
  ].join('');
}

function jinjaString(text: string): string {
  return text.replaceAll('\n', '\\n');
}

function renderAlpaca(
  variant: AlpacaVariant,
  messages: readonly TextMessage[],
  opts: BuiltinRenderOptions,
) {
  const input = opts.variables.input;
  if (input !== undefined && typeof input !== 'string') {
    throw new UserError(`template '${variant.id}': input must be a string, got ${typeof input}`);
  }
  const out = new TextBuilder();
  for (const m of messages) {
    if (m.role === 'user') {
      const withInput = input !== undefined && input !== '';
      out.add(withInput ? PREAMBLE_WITH_INPUT : PREAMBLE_NO_INPUT);
      out.add('### Instruction:\n').add(m.content, 'user');
      if (withInput) out.add('\n\n### Input:\n').add(input, 'user');
      out.add(`\n\n### Response:${variant.afterResponse}`);
    } else {
      out.add(`${m.content}${opts.eosToken}`, 'assistant');
    }
  }
  return out.build();
}

function defineAlpaca(variant: AlpacaVariant) {
  return defineBuiltin({
    id: variant.id,
    description: variant.description,
    jinja: alpacaJinja(variant.afterResponse),
    // One instruction and its response; the fixed preamble takes the place of a system message.
    rules: { roles: ['user', 'assistant'], alternates: true, maxUserTurns: 1 },
    variables: ['input'],
    // Stanford's DEFAULT_EOS_TOKEN, for rendering without a model; a model's own eos wins.
    defaults: { eos_token: '</s>' },
    render: (messages, opts) => renderAlpaca(variant, messages, opts),
  });
}

export const alpaca = defineAlpaca({
  id: 'alpaca',
  description:
    'Stanford Alpaca: "### Instruction:/### Input:/### Response:" (train.py PROMPT_DICT)',
  afterResponse: '',
});

export const alpacaAxolotl = defineAlpaca({
  id: 'alpaca_axolotl',
  description: 'axolotl\'s Alpaca: as alpaca, with a newline after "### Response:"',
  afterResponse: '\n',
});
