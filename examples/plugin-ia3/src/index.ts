export { type Ia3Config, ia3ConfigSchema } from './config.js';
export { IA3_DEFAULT_MODULES } from './default-modules.js';
export { denseIa3Dispatcher } from './dense-dispatcher.js';
export { type Ia3LayerOptions, Ia3Linear } from './ia3-linear.js';
export { ia3Method } from './ia3-method.js';
export { plugin } from './plugin.js';
