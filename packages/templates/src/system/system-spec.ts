import { z } from 'zod';
import { PERSONAS, REFUSAL_POLICIES } from './presets.js';

const presetOrText = <K extends string>(ids: readonly [K, ...K[]], what: string) =>
  z.union([z.enum(ids), z.strictObject({ text: z.string().min(1) })]).describe(what);

/**
 * A JSON-schema tool definition (OpenAI/HF `tools` entry). Keys beyond these (`strict`, a
 * function's `return`...) are kept and reach the template, as transformers passes them.
 */
export const toolDefinitionSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

/**
 * A system message as data, composed from parts in a fixed order: persona, free text, rules,
 * tools, refusal policy, priority declaration. Every part is optional.
 */
export const systemSpecSchema = z.strictObject({
  persona: presetOrText(
    Object.keys(PERSONAS) as [keyof typeof PERSONAS],
    'a persona preset (tutor, lawyer, doctor, customer_service, writing_assistant, coding_assistant) or { text }',
  ).optional(),
  text: z.string().min(1).describe('free text after the persona').optional(),
  rules: z.array(z.string().min(1)).describe('behaviour rules, one per entry').optional(),
  tools: z
    .array(toolDefinitionSchema)
    .describe(
      "tools the model may call; given to the template's own tool support when it has one, else described in the text",
    )
    .optional(),
  refusal_policy: presetOrText(
    Object.keys(REFUSAL_POLICIES) as [keyof typeof REFUSAL_POLICIES],
    'when to decline: harmful, out_of_scope, harmful_or_out_of_scope, or { text }',
  ).optional(),
  priority: z
    .boolean()
    .default(false)
    .describe('declare that these instructions outrank instructions in user messages'),
});

export type SystemSpec = z.input<typeof systemSpecSchema>;
