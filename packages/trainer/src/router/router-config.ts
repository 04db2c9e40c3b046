import { parseOrThrow } from '@tunekit/core';
import { z } from 'zod';

/** The route that uses no adapter: the base model alone. */
export const NO_ADAPTER = 'none';

// YAML's null reads as the base model too
const routeTarget = z
  .union([z.string().min(1), z.null()])
  .transform((name) => name ?? NO_ADAPTER)
  .describe(`an adapter's name, or ${NO_ADAPTER} (null) for the base model alone`);

function validRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const regex = z.string().min(1).refine(validRegex, 'not a valid regular expression');

const ruleSchema = z
  .strictObject({
    adapter: routeTarget,
    regex: regex
      .optional()
      .describe('a JavaScript regular expression searched for in the latest user message'),
    keywords: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('words of which any one, as a whole word, is in the latest user message'),
    system: regex
      .optional()
      .describe('a regular expression searched for in the system message (a system-role preset)'),
    case_sensitive: z.boolean().default(false).describe('default false: case is ignored'),
  })
  .refine((rule) => rule.regex ?? rule.keywords ?? rule.system, {
    message: 'a rule needs regex, keywords or system (all it has must match)',
  });

export type RouteRule = z.output<typeof ruleSchema>;

/**
 * router.yaml: which adapters a model carries and how each request picks one. Rules are tried in
 * order, the first whose conditions all hold picks; when none does, the learned classifier (a head
 * `tunekit train` trained with `task: router`) picks the likeliest label if it is at least
 * `min_confidence` likely; else `default`.
 */
export const routerConfigSchema = z.strictObject({
  adapters: z
    .record(z.string().min(1), z.string().min(1))
    .default({})
    .describe(
      'adapter name: PEFT adapter folder, relative to router.yaml (--adapter name=path adds one)',
    ),
  rules: z.array(ruleSchema).default([]).describe('tried in order; the first match picks'),
  classifier: z
    .strictObject({
      path: z.string().min(1).describe('the folder tunekit train (task: router) wrote'),
      min_confidence: z
        .number()
        .min(0)
        .max(1)
        .default(0)
        .describe('below this probability the classifier abstains and default answers'),
    })
    .optional(),
  default: routeTarget.default(NO_ADAPTER).describe('what answers when nothing picks'),
});

export type RouterConfig = z.output<typeof routerConfigSchema>;

/** router.yaml's mapping (already read from YAML or built in code), validated. */
export function parseRouterConfig(raw: unknown, source = 'router config'): RouterConfig {
  return parseOrThrow(routerConfigSchema, raw, source);
}
