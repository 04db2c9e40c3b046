export {
  DEFAULT_INSTRUCTION_FILTERS,
  type InstructionFilters,
  instructionRejection,
} from './instruction-filters.js';
export { instructionPrompt, parseInstructions } from './instruction-prompt.js';
export { readSeedTasks, type SeedTask } from './seed-tasks.js';
export {
  type SelfInstructOptions,
  type SelfInstructRecord,
  type SelfInstructResult,
  selfInstruct,
} from './self-instruct.js';
