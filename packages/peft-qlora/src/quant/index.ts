export {
  type Blockwise8bit,
  dequantizeBlockwise8bit,
  type QuantizeBlockwise8bitOptions,
  quantizeBlockwise8bit,
} from './blockwise-8bit.js';
export { CODE_4BIT, QUANT_TYPES, type QuantType } from './code-4bit.js';
export { createDynamicMap, DYNAMIC_MAP_SIGNED, DYNAMIC_MAP_UNSIGNED } from './dynamic-map.js';
export { BNB_SOURCE } from './f32.js';
export {
  BLOCKSIZES_4BIT,
  blockAbsmax4bit,
  dequantize4bit,
  type NestedAbsmax,
  type Quantize4bitOptions,
  type Quantized4bit,
  quantize4bit,
} from './quantize-4bit.js';
export { torchMeanF32 } from './torch-mean.js';
