import type { ChatToolCall } from '@tunekit/core';
import { defineBuiltin, type TextMessage } from './builtin-template.js';
import { TextBuilder } from './text-builder.js';
import { toJson } from './to-json.js';

/** The system message Qwen2.5-Instruct's template writes when a conversation has none. */
const DEFAULT_SYSTEM = 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.';

const TOOLS_HEADER =
  '\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>';
const TOOLS_FOOTER =
  '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n';

/**
 * Qwen2.5-Instruct (Qwen/Qwen2.5-0.5B-Instruct tokenizer_config.json): ChatML with a default
 * system message when the conversation has none; tools are listed in the system turn inside
 * `<tools></tools>`; an assistant's tool calls are written as `<tool_call>` blocks (the assistant
 * span, trained on), and consecutive tool results go into one user turn as `<tool_response>`
 * blocks (not trained on). The Jinja is the model's own template.
 */
export const QWEN2_5_JINJA = [
  '{%- if tools %}',
  "    {{- '<|im_start|>system\\n' }}",
  "    {%- if messages[0]['role'] == 'system' %}",
  "        {{- messages[0]['content'] }}",
  '    {%- else %}',
  `        {{- '${DEFAULT_SYSTEM}' }}`,
  '    {%- endif %}',
  '    {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}',
  '    {%- for tool in tools %}',
  '        {{- "\\n" }}',
  '        {{- tool | tojson }}',
  '    {%- endfor %}',
  '    {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}',
  '{%- else %}',
  "    {%- if messages[0]['role'] == 'system' %}",
  "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
  '    {%- else %}',
  `        {{- '<|im_start|>system\\n${DEFAULT_SYSTEM}<|im_end|>\\n' }}`,
  '    {%- endif %}',
  '{%- endif %}',
  '{%- for message in messages %}',
  '    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}',
  "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}",
  '    {%- elif message.role == "assistant" %}',
  "        {{- '<|im_start|>' + message.role }}",
  '        {%- if message.content %}',
  "            {{- '\\n' + message.content }}",
  '        {%- endif %}',
  '        {%- for tool_call in message.tool_calls %}',
  '            {%- if tool_call.function is defined %}',
  '                {%- set tool_call = tool_call.function %}',
  '            {%- endif %}',
  '            {{- \'\\n<tool_call>\\n{"name": "\' }}',
  '            {{- tool_call.name }}',
  '            {{- \'", "arguments": \' }}',
  '            {{- tool_call.arguments | tojson }}',
  "            {{- '}\\n</tool_call>' }}",
  '        {%- endfor %}',
  "        {{- '<|im_end|>\\n' }}",
  '    {%- elif message.role == "tool" %}',
  '        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}',
  "            {{- '<|im_start|>user' }}",
  '        {%- endif %}',
  "        {{- '\\n<tool_response>\\n' }}",
  '        {{- message.content }}',
  "        {{- '\\n</tool_response>' }}",
  '        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}',
  "            {{- '<|im_end|>\\n' }}",
  '        {%- endif %}',
  '    {%- endif %}',
  '{%- endfor %}',
  '{%- if add_generation_prompt %}',
  "    {{- '<|im_start|>assistant\\n' }}",
  '{%- endif %}',
].join('\n');

export const qwen25 = defineBuiltin({
  id: 'qwen2_5',
  description:
    'Qwen2.5-Instruct: ChatML with a default system message, <tools> and <tool_call> blocks',
  jinja: QWEN2_5_JINJA,
  rules: { roles: ['system', 'user', 'assistant', 'tool'], toolCalls: true },
  tools: true,
  defaults: { eos_token: '<|im_end|>' },
  render(messages, opts) {
    const out = new TextBuilder();
    const first = messages[0]?.role === 'system' ? messages[0] : undefined;
    out.add('<|im_start|>system\n');
    out.add(first?.content ?? DEFAULT_SYSTEM, 'system');
    if (opts.tools.length > 0) {
      out.add(TOOLS_HEADER);
      for (const tool of opts.tools) out.add(`\n${toJson(tool)}`);
      out.add(TOOLS_FOOTER);
    } else {
      out.add('<|im_end|>\n');
    }
    messages.forEach((m, i) => {
      if (i === 0 && first !== undefined) return;
      if (m.role === 'tool') {
        if (messages[i - 1]?.role !== 'tool') out.add('<|im_start|>user');
        out.add('\n<tool_response>\n').add(m.content, 'tool').add('\n</tool_response>');
        if (messages[i + 1]?.role !== 'tool') out.add('<|im_end|>\n');
      } else if (m.role === 'assistant') {
        out.add('<|im_start|>assistant\n').add(assistantTurn(m), 'assistant').add('\n');
      } else {
        out.add(`<|im_start|>${m.role}\n`).add(m.content, m.role).add('<|im_end|>\n');
      }
    });
    if (opts.addGenerationPrompt) out.add('<|im_start|>assistant\n');
    return out.build();
  },
});

/**
 * An assistant turn after its `<|im_start|>assistant\n` header, up to its `<|im_end|>`. Qwen's
 * template writes the header's newline only before content or a call; a turn with neither is the
 * one case where the span would include it, and the model never ends a turn that way.
 */
function assistantTurn(m: TextMessage): string {
  const calls = m.tool_calls ?? [];
  if (calls.length === 0) return `${m.content}<|im_end|>`;
  const blocks = calls.map((call) => toolCallBlock(call)).join('\n');
  return m.content === '' ? `${blocks}<|im_end|>` : `${m.content}\n${blocks}<|im_end|>`;
}

/** One `<tool_call>` block: the call's name and its arguments as `tojson` writes them. */
function toolCallBlock(call: ChatToolCall): string {
  const { name, arguments: args } = call.function;
  return `<tool_call>\n{"name": "${name}", "arguments": ${toJson(args)}}\n</tool_call>`;
}
