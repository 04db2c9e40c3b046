import { type ChatTemplate, TOKENS, type TunekitPlugin } from '@tunekit/core';
import { BUILTIN_TEMPLATES } from './builtins/index.js';
import { jinja } from './jinja/index.js';

/** Every template this package registers: the built-ins, then `jinja` (the model's own). */
export const TEMPLATES: readonly ChatTemplate[] = Object.freeze([...BUILTIN_TEMPLATES, jinja]);

export const plugin: TunekitPlugin = {
  name: '@tunekit/templates',
  coreRange: '>=0.1.0 <1.0.0', // = package.json's peer range on @tunekit/core (RELEASING.md)
  register(container) {
    for (const template of TEMPLATES)
      container.register(TOKENS.ChatTemplate, { useValue: template });
  },
};
