import type { ReviewDecision } from './review-decision.js';
import { sameDecision } from './review-decision.js';
import type { ReviewItem } from './review-items.js';

/** A record to arbitrate: the reviewers' decisions on it, which differ (or stand alone). */
export interface ArbitrationTask {
  readonly item: ReviewItem;
  readonly reviews: readonly ReviewDecision[];
}

export interface Arbitration {
  /** Records every reviewer who saw them (two or more) decided alike, as resolved decisions. */
  readonly agreed: readonly ReviewDecision[];
  /** The disagreements, and records only one reviewer decided, in source order. */
  readonly queue: readonly ArbitrationTask[];
  /** Records no reviewer decided. */
  readonly unreviewed: number;
}

/**
 * Splits the source's records by what the review files say of them: agreed (the same verdict,
 * label and kept answer from every reviewer, at least two), to arbitrate, or unreviewed.
 */
export function arbitrate(
  items: readonly ReviewItem[],
  reviewFiles: readonly ReadonlyMap<string, ReviewDecision>[],
): Arbitration {
  const agreed: ReviewDecision[] = [];
  const queue: ArbitrationTask[] = [];
  let unreviewed = 0;
  for (const item of items) {
    const reviews = reviewFiles.flatMap((file) => file.get(item.id) ?? []);
    const [first] = reviews;
    if (first === undefined) unreviewed++;
    else if (reviews.length >= 2 && reviews.every((r) => sameDecision(first, r)))
      agreed.push(agreedDecision(first, reviews));
    else queue.push({ item, reviews });
  }
  return { agreed, queue, unreviewed };
}

/** The decision reviewers agreed on, with all their comments and the latest time. */
function agreedDecision(first: ReviewDecision, reviews: readonly ReviewDecision[]): ReviewDecision {
  const comments = [...new Set(reviews.flatMap((r) => (r.comment ? [r.comment] : [])))];
  const { comment: _, ...decision } = first;
  return {
    ...decision,
    ...(comments.length > 0 ? { comment: comments.join('\n') } : {}),
    reviewed_at:
      reviews
        .map((r) => r.reviewed_at)
        .sort()
        .at(-1) ?? first.reviewed_at,
    resolution: 'agreed',
    reviewers: reviews.map((r) => r.reviewer),
  };
}
