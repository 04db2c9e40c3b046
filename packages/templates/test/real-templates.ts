/**
 * Real models' chat templates, each the `chat_template` string of the model's
 * tokenizer_config.json with its special tokens, for testing the built-ins against the templates
 * they are named after. Where each text was taken from is given per entry; Qwen2.5's is in
 * qwen25-template.ts.
 */
export interface RealTemplate {
  /** The Hugging Face model whose tokenizer_config.json holds this template. */
  readonly model: string;
  /** Where the text was copied from. */
  readonly source: string;
  readonly chat_template: string;
  readonly bos_token: string;
  readonly eos_token: string;
}

/** openvino.genai carries a snapshot of these models' tokenizer_config.json files. */
const OPENVINO =
  'openvinotoolkit/openvino.genai tests/python_tests/data/tokenizer_configs.py at 81c2f561b3f9c5fd92146ae8a411456243f5668f';

/** The plain ChatML template, as in the transformers docs. */
export const CHATML_REAL: RealTemplate = {
  model: 'Felladrin/Llama-68M-Chat-v1',
  source: OPENVINO,
  chat_template:
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
  bos_token: '<|im_start|>',
  eos_token: '<|im_end|>',
};

export const ZEPHYR_REAL: RealTemplate = {
  model: 'HuggingFaceH4/zephyr-7b-beta',
  source:
    "huggingface/huggingface.js packages/jinja/test/e2e.test.js at fe42e68017ffc76d09922ea8f9b38a6964345710 (TEST_CUSTOM_TEMPLATES); the same text is TinyLlama/TinyLlama-1.1B-Chat-v1.0's in " +
    OPENVINO,
  chat_template:
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
  bos_token: '<s>',
  eos_token: '</s>',
};

export const LLAMA2_REAL: RealTemplate = {
  model: 'meta-llama/Llama-2-7b-chat-hf',
  source: OPENVINO,
  chat_template:
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
  bos_token: '<s>',
  eos_token: '</s>',
};

export const LLAMA3_REAL: RealTemplate = {
  model: 'meta-llama/Meta-Llama-3-8B-Instruct',
  source: OPENVINO,
  chat_template:
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
  bos_token: '<|begin_of_text|>',
  eos_token: '<|eot_id|>',
};

/**
 * Mistral's template in the form of its 2024 update: `[INST] ` and `[/INST]` with no space before
 * it, the system message before the last user turn. This is Mistral-7B-Instruct-v0.3's template at
 * revision 43ee8f4afb6fc9e4304a8ed87aaa3a36a0e06939 without its tool branches, and the template of
 * Codestral-22B-v0.1 and Mistral-Small-Instruct-2409; the text as quoted verbatim (JSON-escaped,
 * with its raise_exception checks) in vLLM `--chat-template` commands on GitHub. Mistral-7B-Instruct
 * v0.1 and v0.2 keep the older ` [INST] ` form with the system message in the first turn.
 */
export const MISTRAL_REAL: RealTemplate = {
  model: 'mistralai/Mistral-7B-Instruct-v0.3',
  source: 'see above',
  chat_template:
    "{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content'] %}\n    {%- set loop_messages = messages[1:] %}\n{%- else %}\n    {%- set loop_messages = messages %}\n{%- endif %}\n\n{{- bos_token }}\n{%- for message in loop_messages %}\n    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}\n        {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') }}\n    {%- endif %}\n    {%- if message['role'] == 'user' %}\n        {%- if loop.last and system_message is defined %}\n            {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}\n        {%- else %}\n            {{- '[INST] ' + message['content'] + '[/INST]' }}\n        {%- endif %}\n    {%- elif message['role'] == 'assistant' %}\n        {{- ' ' + message['content'] + eos_token}}\n    {%- else %}\n        {{- raise_exception('Only user and assistant roles are supported, with the exception of an initial optional system message!') }}\n    {%- endif %}\n{%- endfor %}\n",
  bos_token: '<s>',
  eos_token: '</s>',
};

/** Gemma 3's template, as transformers' Gemma 3 conversion script writes it into the tokenizer. */
export const GEMMA_REAL: RealTemplate = {
  model: 'google/gemma-3-1b-it',
  source:
    'huggingface/transformers src/transformers/models/gemma3/convert_gemma3_weights.py (_CHAT_TEMPLATE) at 0d7e95d96b4e187c651e2b2406ed98ed40d74963',
  chat_template: [
    '{{ bos_token }}',
    "{%- if messages[0]['role'] == 'system' -%}",
    "    {%- if messages[0]['content'] is string -%}",
    "        {%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}",
    '    {%- else -%}',
    "        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\\n\\n' -%}",
    '    {%- endif -%}',
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
    "    {%- if message['content'] is string -%}",
    "        {{ message['content'] | trim }}",
    "    {%- elif message['content'] is iterable -%}",
    "        {%- for item in message['content'] -%}",
    "            {%- if item['type'] == 'image' -%}",
    "                {{ '<start_of_image>' }}",
    "            {%- elif item['type'] == 'text' -%}",
    "                {{ item['text'] | trim }}",
    '            {%- endif -%}',
    '        {%- endfor -%}',
    '    {%- else -%}',
    '        {{ raise_exception("Invalid content type") }}',
    '    {%- endif -%}',
    "    {{ '<end_of_turn>\\n' }}",
    '{%- endfor -%}',
    '{%- if add_generation_prompt -%}',
    "    {{'<start_of_turn>model\\n'}}",
    '{%- endif -%}',
    '',
  ].join('\n'),
  bos_token: '<bos>',
  eos_token: '<eos>',
};

export const PHI3_REAL: RealTemplate = {
  model: 'microsoft/Phi-3-mini-4k-instruct',
  source: OPENVINO,
  chat_template:
    "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}",
  bos_token: '<s>',
  eos_token: '<|endoftext|>',
};
