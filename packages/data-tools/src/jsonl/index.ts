export { firstIssue, type JsonlLine, readJsonl } from './read-jsonl.js';
