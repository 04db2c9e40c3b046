export { bitsAndBytesQuantizer } from './bitsandbytes-quantizer.js';
export { Linear4bit, type Linear4bitSettings } from './linear-4bit.js';
export { Linear4bitLoraBase } from './linear-4bit-lora-base.js';
export { nf4LoraDispatcher } from './nf4-lora-dispatcher.js';
