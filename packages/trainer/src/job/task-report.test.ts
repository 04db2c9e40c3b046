import { describe, expect, it } from 'vitest';
import type { DataStats } from '../data/index.js';
import { taskRecords, tasksSectionHtml } from './task-report.js';

const source = (task: string | undefined, examples: number, weight: number) => ({
  files: [`${task}.jsonl`],
  format: 'prompt_completion',
  weight,
  examples,
  ...(task !== undefined && { task }),
});
const stats = (sources: ReturnType<typeof source>[]) => ({ sources }) as unknown as DataStats;

describe('taskRecords', () => {
  it("sums a task's sources, weighs its mixing by examples and takes its loss weight", () => {
    const tasks = taskRecords(
      stats([source('answer', 30, 1), source('answer', 10, 3), source('rationale', 20, 0.5)]),
      { rationale: 0.25 },
      { answer: { loss: 3 }, rationale: { loss: 4 } },
      { answer: { loss: 1 } },
    );
    expect(tasks).toEqual({
      answer: {
        train_examples: 40,
        mix_weight: (30 + 30) / 40,
        loss_weight: 1,
        before: { loss: 3 },
        after: { loss: 1 },
      },
      rationale: { train_examples: 20, mix_weight: 0.5, loss_weight: 0.25, before: { loss: 4 } },
    });
  });

  it('is undefined when no source names a task', () => {
    expect(taskRecords(stats([source(undefined, 3, 1)]), undefined, undefined, undefined)).toBe(
      undefined,
    );
  });
});

describe('tasksSectionHtml', () => {
  it('shows each task with its metrics before → after, escaped', () => {
    const html = tasksSectionHtml({
      '<b>': {
        train_examples: 2,
        mix_weight: 1,
        loss_weight: 0.5,
        before: { loss: 2.5 },
        after: { loss: 1.25 },
      },
    });
    expect(html).toContain('<th>&lt;b&gt;</th>');
    expect(html).toContain('<th>loss (before → after)</th>');
    expect(html).toContain('<td class="num">2.5 → 1.25</td>');
    expect(html).not.toContain('token_accuracy');
  });

  it("shows a head task's classification metrics beside the LM tasks' token metrics", () => {
    const html = tasksSectionHtml({
      answer: { train_examples: 4, mix_weight: 1, loss_weight: 1, after: { token_accuracy: 0.5 } },
      intent: { train_examples: 4, mix_weight: 1, loss_weight: 2, after: { accuracy: 0.75 } },
    });
    expect(html).toContain('<th>token_accuracy (before → after)</th>');
    expect(html).toContain('<th>accuracy (before → after)</th>');
    expect(html).toContain('<td class="num"> → 0.75</td>');
  });
});
