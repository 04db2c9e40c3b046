export { type LoraConfig, loraConfigSchema } from './config.js';
export { DEFAULT_TARGET_MODULES } from './default-targets.js';
export { denseLinearDispatcher } from './dense-dispatcher.js';
export { DenseLoraBase, type LoraBase } from './lora-base.js';
export { type LoraLayerOptions, LoraLinear } from './lora-linear.js';
export { loraMethod } from './lora-method.js';
export { plugin } from './plugin.js';
