import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsHeader } from '@tunekit/core';
import { describe, expect, it } from 'vitest';
import { examplesDir, readJson, train, workDir } from './harness.js';

const work = await workDir('classify');

describe('examples/classify.yaml (SEQ_CLS)', () => {
  it('trains a score head and LoRA that classify better than the untrained head, saved as PEFT saves them', async () => {
    const { out, run, record, before, after } = await train(
      join(examplesDir, 'classify.yaml'),
      join(work, 'classify'),
    );
    expect(run.stdout).toContain('data: 512 training examples (classification), 64 eval examples');

    expect(after.eval_accuracy).toBeGreaterThanOrEqual(0.7);
    expect(after.eval_accuracy).toBeGreaterThan(before.eval_accuracy + 0.1);
    expect(after.eval_macro_f1).toBeGreaterThan(before.eval_macro_f1);
    expect(record.id2label).toEqual({ 0: 'even', 1: 'odd' });

    const adapter = await readJson(join(out, 'adapter_config.json'));
    expect(adapter.task_type).toBe('SEQ_CLS');
    expect(adapter.modules_to_save).toEqual(['classifier', 'score']);
    const header = await readSafetensorsHeader(join(out, 'adapter_model.safetensors'));
    expect(header.tensors.get('base_model.model.score.weight')?.shape).toEqual([2, 128]);

    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h2>Confusion matrix</h2>');
    const report = await readJson<{
      accuracy: number;
      confusion_matrix: { labels: string[]; rows_true_columns_predicted: number[][] };
    }>(join(out, 'classification_report.json'));
    expect(report.accuracy).toBe(after.eval_accuracy);
    expect(report.confusion_matrix.labels).toEqual(['even', 'odd']);
    expect(report.confusion_matrix.rows_true_columns_predicted.flat().reduce((a, b) => a + b)).toBe(
      64,
    );
  }, 240_000);
});
