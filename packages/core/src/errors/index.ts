export { ShapeError, UserError } from './user-error.js';
export { describeZodIssue, describeZodIssues, parseOrThrow } from './zod-issues.js';
