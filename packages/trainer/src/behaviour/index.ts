export { isCoherent } from './coherence.js';
export {
  type DialogueMetrics,
  type DialogueResult,
  type DialoguesResult,
  evaluateDialogues,
  type TurnResult,
} from './dialogue-eval.js';
export { type DialogueScenario, readScenarios, type ScenarioTurn } from './dialogue-scenarios.js';
export {
  EVAL_REPORT_HTML,
  EVAL_REPORT_JSON,
  type EvalReport,
  evalReportHtml,
  writeEvalReport,
} from './eval-report.js';
export { type LocatedRecord, readRecordFile } from './read-record-file.js';
export {
  DEFAULT_REFUSAL_PATTERNS,
  patternRefusalDetector,
  type RefusalDetector,
  readRefusalPatterns,
} from './refusal-detector.js';
export { lastUserText, type Respond } from './respond.js';
export {
  evaluateSafety,
  type SafetyJudgement,
  type SafetyMetrics,
  type SafetyResult,
  safetyMetrics,
} from './safety-eval.js';
export { readSafetySet, type SafetyItem, type SafetyLabel } from './safety-set.js';
export {
  type AnsweredSets,
  type SpotCheckRecord,
  sampleSpotChecks,
  spotCheckRecords,
  writeSpotChecks,
} from './spot-check.js';
export { compileCheck, type TurnCheck, type TurnCheckSpec, turnCheckSchema } from './turn-check.js';
