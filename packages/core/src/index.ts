import './reflect.js';

export * from './autodiff/index.js';
export * from './backend/index.js';
export * from './errors/index.js';
export * from './generate/index.js';
export * from './graph/index.js';
export * from './io/index.js';
export * from './models/index.js';
export * from './nn/index.js';
export * from './peft/index.js';
export * from './plugin/index.js';
export * from './tensor/index.js';
export * from './tokenizer/index.js';
export * from './train/index.js';
