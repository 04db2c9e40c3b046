export * from './folder/index.js';
export * from './layer/index.js';
export * from './optim/index.js';
export { plugin } from './plugin.js';
export * from './quant/index.js';
