import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { examplesDir, train, workDir } from './harness.js';

// examples/multitask.yaml as it is (its whole run is the point: every task's metrics must improve
// over the untrained model), three sources named by task, mixed by temperature, one weighted.
const work = await workDir('multitask');

const TASKS = ['answer', 'rationale', 'tool_call'] as const;

describe('examples/multitask.yaml', () => {
  it("improves every task's eval metrics over the untrained model and reports them per task", async () => {
    const { out, run, record, before, after } = await train(
      join(examplesDir, 'multitask.yaml'),
      join(work, 'multitask'),
    );
    expect(run.stdout).toContain(
      'data: 768 training examples (messages, messages, messages), 96 eval examples',
    );

    for (const task of TASKS) {
      expect(after[`eval_${task}_loss`], task).toBeLessThan(before[`eval_${task}_loss`] / 2);
      expect(after[`eval_${task}_token_accuracy`], task).toBeGreaterThan(
        before[`eval_${task}_token_accuracy`] + 0.1,
      );
      expect(record.tasks?.[task]?.after?.loss).toBe(after[`eval_${task}_loss`]);
    }
    // the answers are short enough to come out exactly right after 160 steps
    expect(after.eval_answer_exact_match).toBeGreaterThan(before.eval_answer_exact_match);
    // T5's mixing with T = 2 of 384, 192 and 192 examples: sqrt-proportional shares of 768
    const share = Math.sqrt(384) / (Math.sqrt(384) + 2 * Math.sqrt(192));
    expect(record.tasks?.answer?.mix_weight).toBeCloseTo((share * 768) / 384, 10);
    expect(record.tasks?.rationale?.loss_weight).toBe(0.5);
    expect(record.tasks?.tool_call?.loss_weight).toBe(1);

    const report = await readFile(join(out, 'report.html'), 'utf8');
    expect(report).toContain('<h2>Tasks</h2>');
    for (const task of TASKS) expect(report).toContain(`<tr><th>${task}</th>`);
  }, 300_000);
});
