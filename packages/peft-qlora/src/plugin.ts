import type { TunekitPlugin } from '@tunekit/core';

/**
 * The QLoRA plugin. It registers nothing yet: this release brings the quantization only (issue 13,
 * item 1); the 4-bit Linear dispatcher, `load_in_4bit` and the 8-bit optimizers register here when
 * they land.
 */
export const plugin: TunekitPlugin = {
  name: '@tunekit/peft-qlora',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register() {},
};
