import type { DatasetFormat } from '@tunekit/core';
import { alpacaFormat } from './alpaca.js';
import { hhRlhfFormat } from './hh-rlhf.js';
import { messagesFormat } from './messages.js';
import { preferenceFormat } from './preference.js';
import { promptCompletionFormat } from './prompt-completion.js';
import { shareGptFormat } from './sharegpt.js';
import { shareGptPreferenceFormat } from './sharegpt-preference.js';
import { textFormat } from './text.js';
import { unpairedPreferenceFormat } from './unpaired-preference.js';

export { alpacaFormat } from './alpaca.js';
export { hhRlhfFormat } from './hh-rlhf.js';
export { messagesFormat } from './messages.js';
export { preferenceFormat } from './preference.js';
export { promptCompletionFormat } from './prompt-completion.js';
export { shareGptFormat } from './sharegpt.js';
export { shareGptPreferenceFormat } from './sharegpt-preference.js';
export { textFormat } from './text.js';
export {
  type UnpairedPreferenceRecord,
  unpairedPreferenceFormat,
} from './unpaired-preference.js';

/** The dataset formats this package registers. */
export const DATASET_FORMATS: readonly DatasetFormat[] = Object.freeze([
  textFormat,
  promptCompletionFormat,
  alpacaFormat,
  messagesFormat,
  shareGptFormat,
  preferenceFormat,
  shareGptPreferenceFormat,
  hhRlhfFormat,
  unpairedPreferenceFormat,
]);
