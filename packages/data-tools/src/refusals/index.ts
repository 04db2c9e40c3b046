export { numberedListPrompt, parseNumberedList } from './numbered-list.js';
export {
  type RefusalDataOptions,
  type RefusalDataResult,
  type RefusalRecord,
  refusalData,
} from './refusal-data.js';
export {
  DEFAULT_REQUEST_TEMPLATES,
  DEFAULT_STYLE_TEMPLATES,
  parseRefusalPolicy,
  REFUSAL_STYLES,
  type RefusalCategory,
  type RefusalPolicy,
  type RefusalStyle,
  readRefusalPolicy,
  refusalText,
} from './refusal-policy.js';
