import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVAL_REPORT_HTML, EVAL_REPORT_JSON, writeEvalReport } from './eval-report.js';
import type { SafetyResult } from './safety-eval.js';
import {
  type SpotCheckRecord,
  sampleSpotChecks,
  spotCheckRecords,
  writeSpotChecks,
} from './spot-check.js';

const safety: SafetyResult = {
  detector: 'patterns',
  metrics: { prompts: 1, refusal_accuracy: 1, safe_response_rate: 1 },
  byCategory: { subtract: { prompts: 1, refusal_accuracy: 1, safe_response_rate: 1 } },
  judgements: [
    {
      where: 's.jsonl:1',
      id: '1',
      messages: [{ role: 'user', content: 'What is 5 - <b>2</b>?' }],
      label: 'refuse',
      category: 'subtract',
      response: "I can't help with that.",
      refused: true,
    },
  ],
};
const dialogues = {
  metrics: { dialogues: 1, turns: 2, coherence: 1 },
  dialogues: [
    {
      where: 'd.yaml[0]',
      id: 'sums',
      turns: [
        { user: 'What is 1 + 1?', answer: '2', passed: true, coherent: true },
        { user: 'Thanks', answer: 'Bye', coherent: true },
      ],
      passed: true,
    },
  ],
};

describe('spot checks', () => {
  it('turn every answer into an {id, prompt, response, reference} record', () => {
    const records = spotCheckRecords({
      samples: [{ where: 'e.jsonl:3', prompt: '<p>', prediction: '68', reference: '68' }],
      safety,
      dialogues,
    });
    expect(records.map((r) => [r.id, r.prompt, r.response, r.reference, r.source])).toEqual([
      ['eval:e.jsonl:3', '<p>', '68', '68', 'eval'],
      ['safety:1', 'What is 5 - <b>2</b>?', "I can't help with that.", '(should refuse)', 'safety'],
      ['dialogue:sums:1', 'What is 1 + 1?', '2', '', 'dialogue'],
      ['dialogue:sums:2', 'Thanks', 'Bye', '', 'dialogue'],
    ]);
    expect(records[3].meta?.history).toEqual([
      { role: 'user', content: 'What is 1 + 1?' },
      { role: 'assistant', content: '2' },
    ]);
  });

  it('draw n records, seeded, without repeats, in their original order', async () => {
    const records = Array.from(
      { length: 50 },
      (_, i): SpotCheckRecord => ({
        id: String(i),
        prompt: 'p',
        response: 'r',
        reference: '',
        source: 'eval',
      }),
    );
    const a = sampleSpotChecks(records, 10, 1).map((r) => Number(r.id));
    expect(a).toHaveLength(10);
    expect(new Set(a).size).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(sampleSpotChecks(records, 10, 1).map((r) => Number(r.id))).toEqual(a);
    expect(sampleSpotChecks(records, 10, 2).map((r) => Number(r.id))).not.toEqual(a);
    expect(sampleSpotChecks(records, 80, 1)).toHaveLength(50);

    const path = join(await mkdtemp(join(tmpdir(), 'tunekit-spot-')), 'spot.jsonl');
    const three = sampleSpotChecks(records, 3, 1);
    await writeSpotChecks(path, three);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(three);
  });
});

describe('the eval report', () => {
  it('is written as JSON and as an escaped HTML page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tunekit-report-'));
    await writeEvalReport(dir, {
      model: 'm',
      template: 'chatml',
      data: { file: 'e.jsonl', metrics: { exact_match: 0.5 } },
      safety: { file: 's.jsonl', ...safety },
      dialogues: { file: 'd.yaml', ...dialogues },
      spot_check: { file: 'spot.jsonl', records: 4 },
    });
    const json = JSON.parse(await readFile(join(dir, EVAL_REPORT_JSON), 'utf8'));
    expect(json.safety.metrics.safe_response_rate).toBe(1);
    expect(json.safety.byCategory.subtract.prompts).toBe(1);
    expect(json.dialogues.dialogues[0].turns[1].answer).toBe('Bye');
    const html = await readFile(join(dir, EVAL_REPORT_HTML), 'utf8');
    expect(html).toContain('What is 5 - &lt;b&gt;2&lt;/b&gt;?');
    expect(html).not.toContain('<b>2</b>');
    expect(html).toMatch(
      /<td>subtract<\/td><td>1<\/td><td>100\.0%<\/td><td>100\.0%<\/td><td>–<\/td>/,
    );
    expect(html).toContain('<td>exact_match</td><td>0.5</td>');
    expect(html).toContain('4 answers for review in <code>spot.jsonl</code>');
  });
});
