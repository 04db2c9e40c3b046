export {
  type InstructionRecord,
  instructionRecordSchema,
  METADATA_LINES,
  type MessagesRecord,
  messageSchema,
  messagesRecordSchema,
  type PromptCompletionRecord,
  promptCompletionRecordSchema,
  type TextRecord,
  textRecordSchema,
} from './record-schemas.js';
export {
  type ExampleSource,
  type RenderedExample,
  type RenderRecordOptions,
  renderRecord,
} from './render-record.js';
