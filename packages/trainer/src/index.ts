export * from './behaviour/index.js';
export * from './chat/index.js';
export * from './compare/index.js';
export * from './data/index.js';
export * from './eval/index.js';
export { escapeHtml } from './html/index.js';
export * from './job/index.js';
export { plugin } from './plugin.js';
export * from './train/index.js';
