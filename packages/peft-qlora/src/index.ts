export * from './folder/index.js';
export { plugin } from './plugin.js';
export * from './quant/index.js';
