export { type DataStats, type DataStatsOptions, dataStats } from './data-stats.js';
export {
  DEFAULT_CITATION_PATTERNS,
  DEFAULT_REFUSAL_PATTERNS,
  matchesAny,
  patternOf,
} from './patterns.js';
export { statsHtml } from './stats-html.js';
export { statsText } from './stats-text.js';
export {
  type LengthSummary,
  summariseLengths,
  type TokenCounting,
  tokenLength,
} from './token-lengths.js';
