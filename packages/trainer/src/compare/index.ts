export { bestRun, compareRuns, lowerIsBetter, type RunComparison } from './compare-runs.js';
export { comparisonHtml } from './comparison-html.js';
export { comparisonText } from './comparison-text.js';
export { type RunSummary, readRunSummary } from './run-summary.js';
