export { Embedding } from './embedding.js';
export { Linear } from './linear.js';
export { Module, UnaryModule } from './module.js';
export { LayerNorm, RMSNorm } from './norms.js';
export { Parameter } from './parameter.js';
export { TraceContext } from './trace-context.js';
