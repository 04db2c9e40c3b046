export { absoluteWhere } from './absolute-where.js';
export { type Conversation, conversationOf } from './conversation.js';
export { type DataRecord, type DataSet, type ReadDataOptions, readDataSet } from './data-set.js';
