import { z } from 'zod';

/**
 * A head of its own for a training source's task (several heads on one model): PEFT's task type
 * and transformers' label fields. Only SEQ_CLS for now: a `score` head read at each example's
 * last token, trained on `{"text"|"messages": ..., "label": ...}` records.
 */
export const sourceHeadSchema = z.strictObject({
  task_type: z
    .literal('SEQ_CLS')
    .describe("PEFT's task type of the head: SEQ_CLS, a classification head (`score`)"),
  num_labels: z
    .int()
    .min(2)
    .optional()
    .describe("the head's classes; default the count of id2label, else of the records' labels"),
  id2label: z
    .record(z.string().regex(/^\d+$/), z.string().min(1))
    .optional()
    .describe(
      'the class names by id ({0: answer, 1: rationale}), as transformers’ config holds them; default the labels of the records (names sorted)',
    ),
});

export type SourceHead = z.output<typeof sourceHeadSchema>;
