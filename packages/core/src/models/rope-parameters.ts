import { z } from 'zod';

const factor = z.number().positive();
/** Present in transformers v5's `rope_parameters`; in v4 `rope_theta` sits beside `rope_scaling`. */
const rope_theta = z.number().positive().optional();

const llama3 = z
  .looseObject({
    rope_type: z.literal('llama3'),
    rope_theta,
    factor,
    low_freq_factor: z.number().positive(),
    high_freq_factor: z.number().positive(),
    original_max_position_embeddings: z.number().int().positive(),
  })
  .refine((r) => r.high_freq_factor > r.low_freq_factor, {
    path: ['high_freq_factor'],
    message: 'high_freq_factor must be greater than low_freq_factor',
  });

const ROPE_TYPES = ['default', 'linear', 'dynamic', 'llama3'] as const;

/**
 * `rope_scaling` (transformers v4) or `rope_parameters` (v5) of a Llama-like config. The legacy
 * key `type` is read as `rope_type`, as transformers does.
 */
export const ropeParametersSchema = z.preprocess(
  (v) =>
    typeof v === 'object' && v !== null && !('rope_type' in v) && 'type' in v
      ? { ...v, rope_type: v.type }
      : v,
  z.discriminatedUnion(
    'rope_type',
    [
      z.looseObject({ rope_type: z.literal('default'), rope_theta }),
      z.looseObject({ rope_type: z.literal('linear'), rope_theta, factor }),
      z.looseObject({ rope_type: z.literal('dynamic'), rope_theta, factor }),
      llama3,
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `rope_type must be one of ${ROPE_TYPES.join(', ')} (others, such as yarn and longrope, are not supported)`
          : undefined,
    },
  ),
);

export type RopeScaling = z.output<typeof ropeParametersSchema>;

/** Everything that fixes the rotary frequencies: the scaling type and its fields, and the base. */
export type RopeParameters = RopeScaling & { readonly rope_theta: number };

/** The config's rotary parameters: v5's `rope_parameters` if present, else v4's `rope_scaling` and `rope_theta`. */
export function ropeParametersOf(config: {
  readonly rope_theta: number;
  readonly rope_scaling: RopeScaling | null;
  readonly rope_parameters?: RopeScaling;
}): RopeParameters {
  const scaling = config.rope_parameters ?? config.rope_scaling ?? { rope_type: 'default' };
  return { ...scaling, rope_theta: scaling.rope_theta ?? config.rope_theta };
}
