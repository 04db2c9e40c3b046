export { type Arbitration, type ArbitrationTask, arbitrate } from './arbitration.js';
export {
  type DecisionInput,
  type ReviewDecision,
  readReviewFile,
  sameDecision,
  VERDICTS,
  type Verdict,
} from './review-decision.js';
export { type ReviewItem, type ReviewTurn, readReviewItems } from './review-items.js';
export { type ReviewServer, serveReview } from './review-server.js';
export {
  type OpenArbitrationOptions,
  type OpenReviewOptions,
  type ReviewProgress,
  ReviewSession,
  type ReviewTask,
} from './review-session.js';
