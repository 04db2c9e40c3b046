export { ShapeError, UserError } from './user-error.js';
export { describeZodIssues, parseOrThrow } from './zod-issues.js';
