export {
  instructionRecordSchema,
  METADATA_LINES,
  messageSchema,
  messagesRecordSchema,
  promptCompletionRecordSchema,
  textRecordSchema,
} from './record-schemas.js';
export {
  type ExampleSource,
  type RenderedExample,
  type RenderRecordOptions,
  renderRecord,
} from './render-record.js';
