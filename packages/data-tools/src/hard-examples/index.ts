export { type HardExamplesResult, hardExamples } from './hard-examples.js';
export {
  FAILURE_METRICS,
  type FailureCriterion,
  type FailureMetric,
  sampleScore,
} from './sample-failure.js';
