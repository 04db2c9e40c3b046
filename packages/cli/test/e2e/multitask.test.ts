import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsHeader } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { examplesDir, readJson, train, tunekitJson, tunekitOk, workDir } from './harness.js';

// examples/multitask.yaml as it is (its whole run is the point: every task's metrics must improve
// over the untrained model), three sources named by task, mixed by temperature, one weighted, and
// a fourth task (intent) on a classification head of its own; the trained adapter is then used on
// its LM side (generate) and its head (eval --task), and merged.
const work = await workDir('multitask');

const TASKS = ['answer', 'rationale', 'tool_call'] as const;

describe('examples/multitask.yaml', () => {
  it("improves every task's eval metrics over the untrained model and reports them per task", async () => {
    const { out, run, record, before, after } = await train(
      join(examplesDir, 'multitask.yaml'),
      join(work, 'multitask'),
    );
    expect(run.stdout).toContain(
      'data: 960 training examples (messages, messages, messages, classification), 144 eval examples',
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

    // the intent head: trained on the same trunk and adapter, it classifies better than untrained
    expect(after.eval_intent_accuracy).toBeGreaterThan(before.eval_intent_accuracy + 0.15);
    expect(after.eval_intent_macro_f1).toBeGreaterThan(before.eval_intent_macro_f1);
    expect(after.eval_intent_loss).toBeLessThan(before.eval_intent_loss);
    expect(record.tasks?.intent).toMatchObject({ train_examples: 192, loss_weight: 2 });
    expect(record.heads?.intent).toMatchObject({
      module: 'score',
      task_type: 'SEQ_CLS',
      id2label: { 0: 'answer', 1: 'rationale', 2: 'tool_call' },
    });
    // one adapter in PEFT's layout, the head saved as modules_to_save (not LoRA-wrapped)
    const adapter = await readJson(join(out, 'adapter_config.json'));
    expect(adapter.task_type).toBe('CAUSAL_LM');
    expect(adapter.modules_to_save).toEqual(['score']);
    const header = await readSafetensorsHeader(join(out, 'adapter_model.safetensors'));
    expect(header.tensors.get('base_model.model.score.weight')?.shape).toEqual([3, 128]);
    expect([...header.tensors.keys()].some((k) => k.includes('score.lora_'))).toBe(false);
    const scores = await readJson<{ accuracy: number }>(
      join(out, 'classification_report_intent.json'),
    );
    expect(scores.accuracy).toBe(after.eval_intent_accuracy);

    const report = await readFile(join(out, 'report.html'), 'utf8');
    expect(report).toContain('<h2>Tasks</h2>');
    expect(report).toContain('<h2>Confusion matrix: intent</h2>');
    for (const task of [...TASKS, 'intent']) expect(report).toContain(`<tr><th>${task}</th>`);

    // tunekit eval --task intent scores the head on a file as training did
    const model = join(examplesDir, '..', 'models', 'tunekit-tiny-chat');
    const intentEval = join(examplesDir, 'multitask', 'data', 'intent-eval.jsonl');
    const evaluated = await tunekitJson([
      'eval',
      '-m',
      model,
      '-a',
      out,
      '-d',
      intentEval,
      '--task',
      'intent',
    ]);
    expect(evaluated.accuracy).toBeCloseTo(after.eval_intent_accuracy, 6);
    // the LM side generates with the adapter as before; merge keeps the head beside the model
    await tunekitOk([
      'generate',
      '-m',
      model,
      '-a',
      out,
      '--prompt',
      'What is 12 + 7?',
      '--max-new-tokens',
      '4',
    ]);
    const merged = join(work, 'merged');
    const merge = await tunekitOk(['merge', '-m', model, '-a', out, '-o', merged]);
    expect(merge.stdout).toContain('task_heads.safetensors');
    const heads = await readSafetensorsHeader(join(merged, 'task_heads.safetensors'));
    expect([...heads.tensors.keys()]).toEqual(['score.weight']);
  }, 420_000);
});
