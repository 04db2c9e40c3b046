export { type ConversationRules, checkConversation } from './conversation-rules.js';
export { splitLeadingSystem } from './leading-system.js';
export { messageText } from './message-text.js';
