export { ChatSession, type ChatSessionOptions } from './chat-session.js';
export { TextStream } from './text-stream.js';
export { describeTurnTooLong, splitWindow, type WindowSplit } from './window-split.js';
