import {
  methodConfigSchema,
  type PeftConfig,
  type PeftMethod,
  peftPluginHint,
  resolveAllOf,
  TOKENS,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';

/**
 * The `peft:` section once validated: the method's id and its config parsed by the method's schema,
 * with every default; `PeftModel.createParsed` takes the config as it is.
 */
export type PeftSection = { readonly method: string } & PeftConfig &
  Readonly<Record<string, unknown>>;

/**
 * `peft: { method: lora, r: 16, lora_alpha: 32, ... }`: the method is looked up by id among the
 * registered PEFT methods, and the other keys are validated by that method's own config schema
 * (PEFT's field names and defaults, `methodConfigSchema`), so a third party's method validates its
 * own fields. Errors keep their paths (`peft.r`), so the config loader points at the line.
 */
export function peftSectionSchema(container: DependencyContainer) {
  const methods = resolveAllOf(container, TOKENS.PeftMethod);
  return z
    .looseObject({
      method: z
        .string({ error: 'expected the id of a PEFT method, e.g. lora' })
        .min(1)
        .describe('the PEFT method by id (lora, or a plugin’s); the other keys are its config'),
    })
    .transform((value, ctx): PeftSection => {
      const { method: id, ...config } = value;
      const method = methods.find((m: PeftMethod) => m.id === id);
      if (method === undefined) {
        const ids = methods.map((m) => m.id).sort();
        ctx.addIssue({
          code: 'custom',
          path: ['method'],
          // PEFT's peft_type is the id in capitals, so the known packages are named alike
          message: `unknown peft method '${id}'; registered: ${ids.length > 0 ? ids.join(', ') : 'none'}; ${peftPluginHint(id.toUpperCase())}`,
        });
        return z.NEVER;
      }
      const parsed = methodConfigSchema(method).safeParse(config);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
        return z.NEVER;
      }
      return { method: id, ...parsed.data };
    });
}
