import { describe, expect, it } from 'vitest';
import { splitHeadTasks } from './multi-head-config.js';
import { jobContainer } from './test-utils.js';
import { parseTrainConfig, trainConfigSchema } from './train-config.js';

const schema = trainConfigSchema(jobContainer());
const issues = (config: unknown) =>
  (schema.safeParse(config).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
const intent = {
  path: 'intent.jsonl',
  task: 'intent',
  head: { task_type: 'SEQ_CLS', id2label: { 0: 'ask', 1: 'call' } },
};

describe('head: on a training source', () => {
  it('splits the head tasks (their source, eval and labels) from the LM tasks', () => {
    const config = schema.parse({
      model: 'm',
      train: [{ path: 'qa.jsonl', task: 'answers' }, intent],
      eval: [
        { path: 'qa-eval.jsonl', task: 'answers' },
        { path: 'intent-eval.jsonl', task: 'intent' },
      ],
      task_loss_weights: { answers: 1, intent: 0.5 },
      peft: { method: 'lora' },
    });
    const { lm, heads } = splitHeadTasks(config);
    expect(lm.train.map((s) => s.path)).toEqual(['qa.jsonl']);
    expect(lm.eval?.map((s) => s.path)).toEqual(['qa-eval.jsonl']);
    expect(lm.task_loss_weights).toEqual({ answers: 1 });
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatchObject({ task: 'intent', module: 'score' });
    expect(heads[0].data.train).toEqual([{ path: 'intent.jsonl', weight: 1, task: 'intent' }]);
    expect(heads[0].data.eval?.map((s) => s.path)).toEqual(['intent-eval.jsonl']);
    expect(heads[0].data.id2label).toEqual({ 0: 'ask', 1: 'call' });
    // two classification heads: each its own score_<task>, so neither hides the other
    const two = schema.parse({
      model: 'm',
      train: ['qa.jsonl', intent, { ...intent, path: 'tone.jsonl', task: 'tone' }],
    });
    expect(splitHeadTasks(two).heads.map((h) => h.module)).toEqual(['score_intent', 'score_tone']);
  });

  it('refuses a head without a task of its own, on a SEQ_CLS or DPO run, or on eval sources', () => {
    expect(
      issues({
        model: 'm',
        train: [
          { path: 'qa.jsonl', task: 'intent' },
          intent,
          { path: 'x.jsonl', head: { task_type: 'SEQ_CLS' }, weight: 2 },
        ],
        eval: [intent],
        rdrop_alpha: 0.5,
        peft: { method: 'lora', task_type: 'SEQ_CLS' },
      }),
    ).toEqual(
      expect.arrayContaining([
        "train.1.task: task 'intent' has a head of its own: give it this one source",
        'train.2.task: a source with a head names its task',
        'train.2.weight: a head task’s source has weight 1',
        'eval.0.head: a head is set on its training source; drop it here',
        'peft.task_type: heads go on a causal LM (task_type CAUSAL_LM), not SEQ_CLS',
        'rdrop_alpha: R-Drop compares next-token predictions; a run with heads has others',
      ]),
    );
    expect(issues({ model: 'm', train: [intent], trainer: 'dpo' })).toEqual(
      expect.arrayContaining([
        'train.0.head: heads share a causal LM with its own tasks: add a training source without a head',
        'train.0.head: heads train with trainer: sft',
      ]),
    );
    expect(
      issues({
        model: 'm',
        train: ['qa.jsonl', { ...intent, head: { ...intent.head, num_labels: 3 } }],
      }),
    ).toEqual(['train.1.head.num_labels: num_labels is 3 but id2label names 2 labels']);
    // one line naming the field, though a source may also be a plain path
    expect(() =>
      parseTrainConfig(
        { model: 'm', train: ['qa.jsonl', { ...intent, head: { task_type: 'SEQ2SEQ_LM' } }] },
        jobContainer(),
        'job.yaml',
      ),
    ).toThrow(/^job\.yaml: train\[1\]\.head\.task_type: Invalid input: expected "SEQ_CLS"$/);
  });
});
