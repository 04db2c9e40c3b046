import { describe, expect, it } from 'vitest';
import { headTaskOf } from './evaluate-head-task.js';
import type { InferenceModel } from './inference-model.js';

const loaded = (record?: unknown) => ({ record }) as unknown as InferenceModel;

describe('headTaskOf', () => {
  it('asks for the multi-task run’s adapter when the model has no training record', () => {
    expect(() => headTaskOf(loaded(), 'intent')).toThrow(
      /^--task intent: a task is one of a multi-task run's; give that run's adapter \(-a\/--adapter\)$/,
    );
  });

  it('lists the tasks of the record for a task it does not know', () => {
    const record = { tasks: { answer: {} }, heads: { intent: {} } };
    expect(() => headTaskOf(loaded(record), 'nope')).toThrow(
      /^--task nope: the adapter's training record has the tasks answer, intent$/,
    );
    expect(headTaskOf(loaded(record), 'intent')).toEqual({});
  });
});
