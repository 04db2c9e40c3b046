export {
  type BleuScore,
  type BleuStatistics,
  computeBleu,
  corpusBleu,
} from './bleu.js';
export {
  ClassificationEvaluator,
  type ClassificationResult,
  classifierEvaluation,
} from './classification-evaluator.js';
export { type ClassificationScores, classificationScores } from './classification-metrics.js';
export { Embedder } from './embedder.js';
export {
  BUILTIN_METRICS,
  bleuMetric,
  exactMatchMetric,
  lossMetric,
  rougeMetric,
  tokenAccuracyMetric,
} from './eval-metrics.js';
export { evaluateTasks } from './evaluate-tasks.js';
export {
  type EvalResult,
  type EvaluateOptions,
  Evaluator,
  type EvaluatorOptions,
  evaluate,
  type GenerationEvalOptions,
  type MeasuredEval,
} from './evaluator.js';
export { exactMatch, normalizeAnswer, normalizedExactMatch } from './exact-match.js';
export {
  DEFAULT_EVAL_MAX_NEW_TOKENS,
  type GeneratedSample,
  type GenerateSamplesOptions,
  generateSamples,
  promptIds,
} from './generate-samples.js';
export { GeneratorCache } from './generator-cache.js';
export {
  inapplicableMetrics,
  type NgramMetricName,
  ngramMetricApplies,
} from './inapplicable-metrics.js';
export { evaluateRetrieval, RECALL_AT } from './retrieval-evaluation.js';
export { type RetrievalScores, retrievalScores } from './retrieval-metrics.js';
export {
  type RougeScore,
  type RougeScores,
  rougeL,
  rougeN,
  rougeScores,
  rougeTokenize,
} from './rouge.js';
export { type EvalBatch, TokenEvaluator } from './token-evaluator.js';
export { type EvalShape, traceTokenMetrics } from './token-metrics-graph.js';
export { tokenize13a } from './tokenize-13a.js';
