export { type ConversationRules, checkConversation } from './conversation-rules.js';
