export {
  eosIds,
  type GenerationConfig,
  generationConfigSchema,
  type ResolvedGenerationConfig,
  readGenerationConfigFile,
  resolveGenerationConfig,
  stopStrings,
} from './generation-config.js';
export type { FinishReason, GeneratedRow } from './generation-row.js';
export { type GenerateOptions, Generator, type GeneratorOptions } from './generator.js';
export {
  isSampling,
  type LogitsProcessor,
  logitsProcessors,
  repetitionPenalty,
  temperatureWarper,
  topKWarper,
  topPWarper,
} from './logits-processors.js';
export { argmax, sample, TokenSelector } from './sampling.js';
