export { type Ia3Config, ia3ConfigSchema } from './config.js';
export { IA3_MODEL_TYPE_DEFAULTS } from './default-modules.js';
export { type Ia3LayerOptions, Ia3Linear } from './ia3-linear.js';
export { denseIa3Dispatcher, ia3Method } from './ia3-method.js';
export { plugin } from './plugin.js';
