import { qwen25, renderRecord } from '@tunekit/templates';
import { describe, expect, it } from 'vitest';
import { shareGptFormat } from './sharegpt.js';

// Issue 11, item 11: LLaMA-Factory's tool-call layout. The record is the third of
// hiyouga/LLaMA-Factory data/glaive_toolcall_en_demo.json (cut to its first exchange): tools are
// a JSON string of bare function schemas, calls are function_call turns, results observation
// turns. It was refused at record 1 (tools[0] without `type` and `function`).
const glaive = {
  conversations: [
    {
      from: 'human',
      value:
        'I need to calculate the area of a rectangle. The length is 5 units and the breadth is 3 units.',
    },
    {
      from: 'function_call',
      value:
        '{"name": "calculate_area", "arguments": {"shape": "rectangle", "dimensions": [5, 3]}}',
    },
    { from: 'observation', value: '{"area": 15}' },
    {
      from: 'gpt',
      value:
        'The area of the rectangle with length 5 units and breadth 3 units is 15 square units.',
    },
  ],
  tools:
    '[{"name": "calculate_area", "description": "Calculate the area of a given shape", "parameters": {"type": "object", "properties": {"shape": {"type": "string", "description": "The shape for which to calculate the area"}, "dimensions": {"type": "array", "items": {"type": "number"}, "description": "The dimensions required to calculate the area"}}, "required": ["shape", "dimensions"]}}]',
};
const where = 'glaive_toolcall_en_demo.json[2]';

describe("LLaMA-Factory's tool layout", () => {
  it('maps bare function schemas to tools, function_call to tool_calls and observation to a tool turn', () => {
    const record = shareGptFormat.parse(glaive, where);
    expect(record.tools?.map((tool) => [tool.type, tool.function.name])).toEqual([
      ['function', 'calculate_area'],
    ]);
    expect(record.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(record.messages[1].tool_calls).toEqual([
      {
        type: 'function',
        function: { name: 'calculate_area', arguments: { shape: 'rectangle', dimensions: [5, 3] } },
      },
    ]);
  });

  it('renders through Qwen2.5 with its tools, training on the call and the answer, not the result', () => {
    const r = renderRecord(qwen25, shareGptFormat.parse(glaive, where), { where });
    expect(r.text).toContain('<tools>\n{"type": "function", "function": {"name": "calculate_area"');
    const trained = r.spans
      .filter((span) => span.role === 'assistant')
      .map((span) => r.text.slice(span.start, span.end));
    expect(trained).toEqual([
      '<tool_call>\n{"name": "calculate_area", "arguments": {"shape": "rectangle", "dimensions": [5, 3]}}\n</tool_call><|im_end|>',
      'The area of the rectangle with length 5 units and breadth 3 units is 15 square units.<|im_end|>',
    ]);
    expect(r.text).toContain(
      '<|im_start|>user\n<tool_response>\n{"area": 15}\n</tool_response><|im_end|>',
    );
  });
});
