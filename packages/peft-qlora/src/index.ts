export { plugin } from './plugin.js';
export * from './quant/index.js';
