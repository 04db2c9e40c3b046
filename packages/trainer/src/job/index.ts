export { type BackendSetting, backendOptionsField } from './backend-section.js';
export {
  BeforeAfterCallback,
  describeEvaluation,
  describeSamples,
  type Evaluation,
} from './before-after.js';
export { CLASSIFICATION_REPORT_FILE } from './classification-job.js';
export { type DecodingConfig, decodingConfig } from './decoding-config.js';
export { type EmbeddedTexts, type EmbedTextsOptions, embedTexts } from './embed-texts.js';
export { describeCutAnswers, evalGeneration, noteCutAnswersOnce } from './eval-generation.js';
export {
  EVAL_RESULTS_FILE,
  EVAL_SAMPLES_FILE,
  type EvalResults,
  type EvalRun,
  type EvalRunSample,
  readEvalRun,
  writeEvalRun,
} from './eval-run.js';
export {
  type EvaluateBehaviourOptions,
  type EvaluateBehaviourResult,
  evaluateBehaviour,
} from './evaluate-behaviour.js';
export {
  type EvaluateModelOptions,
  type EvaluateModelResult,
  evaluateModel,
} from './evaluate-model.js';
export {
  type EvaluateRoutedOptions,
  evaluateRouted,
  type RoutedEvalResult,
} from './evaluate-routed.js';
export {
  type GenerateRoutedOptions,
  generateRouted,
  type RoutedText,
} from './generate-routed.js';
export { type GeneratedText, type GenerateTextOptions, generateText } from './generate-text.js';
export { type BackendChoice, openInferenceBackend } from './inference-backend.js';
export {
  type InferenceModel,
  type InferenceSource,
  loadInferenceModel,
  templateSetting,
} from './inference-model.js';
export { resolveModelFolder } from './model-folder.js';
export {
  type OpenChatSessionOptions,
  type OpenedChat,
  openChatSession,
} from './open-chat-session.js';
export { type PeftSection, peftSectionSchema } from './peft-section.js';
export {
  DEFAULT_REFUSAL_LABEL,
  type LoadedRefusalDetector,
  openRefusalClassifier,
} from './refusal-classifier.js';
export { SAVED_FILES, type SaveTrainedOptions, saveTrained } from './save-trained.js';
export {
  openTextClassifier,
  type TextClass,
  type TextClassifier,
  type TextClassifierOptions,
} from './text-classifier.js';
export {
  type GenerationSettings,
  generationSchema,
  parseTrainConfig,
  type TrainConfig,
  trainConfigSchema,
} from './train-config.js';
export {
  type TrainFromConfigOptions,
  type TrainFromConfigResult,
  trainFromConfig,
} from './train-from-config.js';
export {
  parseRouterTrainConfig,
  type RouterTrainConfig,
  routerTrainConfigSchema,
  type TrainRouterResult,
  trainRouterFromConfig,
} from './train-router-from-config.js';
export {
  type DataRecord,
  dataRecord,
  readTrainingRecord,
  TRAINING_RECORD_FILE,
  type TrainingRecord,
  writeTrainingRecord,
} from './training-record.js';
