export { type ModelGeneratorOptions, openModelGenerator } from './model-generator.js';
export type { TextGenerator } from './text-generator.js';
