export { agreementCommand } from './agreement-command.js';
export { convertCommand } from './convert-command.js';
export { dedupeCommand } from './dedupe-command.js';
export { filterCommand } from './filter-command.js';
export { mixCommand } from './mix-command.js';
export { splitCommand } from './split-command.js';
export { statsCommand } from './stats-command.js';
