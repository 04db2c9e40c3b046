import { describe, expect, it } from 'vitest';
import { loadSftData } from '../src/data/index.js';
import { chatmlTokenizer, DATA, dataContainer } from './data-helpers.js';

// Issue 11, item 11: LLaMA-Factory's tool-call demo data (fixtures/data/glaive-toolcall.json: the
// first and third records of hiyouga/LLaMA-Factory data/glaive_toolcall_en_demo.json, answers
// shortened) was refused at its first record; it loads, and trains through the qwen2_5 built-in.
describe("LLaMA-Factory's glaive_toolcall data", () => {
  it('loads as sharegpt and trains on the tool call and the answers, not the tool result', async () => {
    const tokenizer = await chatmlTokenizer();
    const data = await loadSftData(
      { train: 'glaive-toolcall.json', template: 'qwen2_5', max_length: 4096 },
      { container: dataContainer(), tokenizer, baseDir: DATA },
    );
    expect(data.stats.sources[0]).toMatchObject({ format: 'sharegpt', examples: 2 });
    const example = data.trainExamples.find((e) => e.where.endsWith('(record 2)'));
    if (example === undefined) throw new Error('the tool-call record is missing');
    const text = tokenizer.decode(Array.from(example.input_ids));
    expect(text).toContain('<tools>\n{"type": "function", "function": {"name": "calculate_area"');
    const trained = tokenizer.decode(
      Array.from(example.input_ids).filter((_, i) => example.labels[i] !== -100),
    );
    expect(trained).toBe(
      '<tool_call>\n{"name": "calculate_area", "arguments": {"shape": "rectangle", "dimensions": [5, 3]}}\n</tool_call><|im_end|>The area of the rectangle with length 5 units and breadth 3 units is 15 square units.<|im_end|>',
    );
  });
});
