import { UserError } from '@tunekit/core';
import { z } from 'zod';
import { firstIssue, readJsonl } from '../jsonl/index.js';

/** What a reviewer can say of a draft. */
export const VERDICTS = ['accept', 'edit', 'reject'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What the page sends for one record: the verdict, a label, the edited text, a comment. */
export const decisionInputSchema = z
  .object({
    id: z.string(),
    verdict: z.enum(VERDICTS),
    label: z.string().min(1).optional(),
    /** The answer as the reviewer leaves it: the edited text (edit). */
    response: z.string().optional(),
    comment: z.string().optional(),
  })
  .strict()
  .refine((d) => d.verdict !== 'edit' || (d.response ?? '').trim() !== '', {
    message: 'an edit needs the edited response',
    path: ['response'],
  });

export type DecisionInput = z.infer<typeof decisionInputSchema>;

/**
 * One line of a review file: a reviewer's decision on one record of the source. `response` is
 * the answer the decision keeps (the draft accepted, or the edit); a rejected record has none.
 * A resolved file from arbitration adds how each decision was reached.
 */
export const reviewDecisionSchema = z.object({
  id: z.string(),
  reviewer: z.string().min(1),
  verdict: z.enum(VERDICTS),
  label: z.string().min(1).optional(),
  response: z.string().optional(),
  comment: z.string().optional(),
  reviewed_at: z.string(),
  /** In a resolved file: the reviewers agreed, or the arbiter (`reviewer`) decided. */
  resolution: z.enum(['agreed', 'arbitrated']).optional(),
  /** In a resolved file: whose reviews the decision resolves. */
  reviewers: z.array(z.string()).optional(),
});

export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

/** The review file's decisions by record id (a later line for the same id replaces an earlier). */
export async function readReviewFile(file: string): Promise<Map<string, ReviewDecision>> {
  const decisions = new Map<string, ReviewDecision>();
  for (const { where, value } of await readJsonl(file, 'the review file')) {
    const parsed = reviewDecisionSchema.safeParse(value);
    if (!parsed.success)
      throw new UserError(
        `${where}: ${firstIssue(parsed.error)} (a review file has id, reviewer, verdict, reviewed_at)`,
      );
    decisions.set(parsed.data.id, parsed.data);
  }
  return decisions;
}

/** Whether two decisions say the same of a record: verdict, label and the answer kept. */
export function sameDecision(a: ReviewDecision, b: ReviewDecision): boolean {
  return a.verdict === b.verdict && a.label === b.label && a.response === b.response;
}
