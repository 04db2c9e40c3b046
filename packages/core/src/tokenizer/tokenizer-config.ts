import { z } from 'zod';
import { describeZodIssues, UserError } from '../errors/index.js';

/**
 * A token as tokenizer_config.json writes it: a plain string, or transformers' serialised
 * `AddedToken` (`{"__type": "AddedToken", "content": "<s>", "lstrip": false, ...}`).
 */
export const configTokenSchema = z.union(
  [
    z.string(),
    z.looseObject({
      content: z.string(),
      lstrip: z.boolean().optional(),
      rstrip: z.boolean().optional(),
      normalized: z.boolean().optional(),
      single_word: z.boolean().optional(),
      special: z.boolean().optional(),
    }),
  ],
  {
    error:
      'expected a token: a string, or an object with its "content" (transformers\' AddedToken)',
  },
);
export type ConfigToken = z.infer<typeof configTokenSchema>;

/** One named template of the list form of `chat_template`. */
export const namedChatTemplateSchema = z.object({ name: z.string(), template: z.string() });
export type NamedChatTemplate = z.infer<typeof namedChatTemplateSchema>;

/**
 * tokenizer_config.json, with the keys tunekit reads spelled as transformers writes them.
 * Unknown keys are kept: the file carries many a model's own settings.
 */
export const tokenizerConfigSchema = z.looseObject({
  bos_token: configTokenSchema.nullish(),
  eos_token: configTokenSchema.nullish(),
  pad_token: configTokenSchema.nullish(),
  unk_token: configTokenSchema.nullish(),
  /** When either flag is present, transformers rebuilds the post-processor from both. */
  add_bos_token: z.boolean().nullish(),
  add_eos_token: z.boolean().nullish(),
  additional_special_tokens: z.array(configTokenSchema).nullish(),
  /** transformers v5's name for additional special tokens; a list or a map of names to tokens. */
  extra_special_tokens: z
    .union([z.array(configTokenSchema), z.record(z.string(), configTokenSchema)])
    .nullish(),
  /** One Jinja template, or named templates (`default`, `tool_use`, ...). */
  chat_template: z
    .union([z.string(), z.array(namedChatTemplateSchema)], {
      error: 'expected a Jinja template string, or a list of {"name", "template"} objects',
    })
    .nullish(),
  /** transformers writes 1e30 (its VERY_LARGE_INTEGER) when the model sets no limit. */
  model_max_length: z.number().positive().nullish(),
  clean_up_tokenization_spaces: z.boolean().nullish(),
});
export type TokenizerConfig = z.infer<typeof tokenizerConfigSchema>;

/** The special-token keys that special_tokens_map.json may fill when tokenizer_config.json lacks them. */
export const NAMED_SPECIAL_TOKEN_KEYS = [
  'bos_token',
  'eos_token',
  'pad_token',
  'unk_token',
] as const;
export type NamedSpecialTokenKey = (typeof NAMED_SPECIAL_TOKEN_KEYS)[number];

/** special_tokens_map.json: the older place for the named special tokens. */
export const specialTokensMapSchema = z.looseObject({
  bos_token: configTokenSchema.nullish(),
  eos_token: configTokenSchema.nullish(),
  pad_token: configTokenSchema.nullish(),
  unk_token: configTokenSchema.nullish(),
  additional_special_tokens: z.array(configTokenSchema).nullish(),
});
export type SpecialTokensMap = z.infer<typeof specialTokensMapSchema>;

/** Validates tokenizer_config.json; `source` names the file in the error. */
export function parseTokenizerConfig(raw: unknown, source: string): TokenizerConfig {
  const parsed = tokenizerConfigSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${source}: ${describeZodIssues(parsed.error)}`);
  return parsed.data;
}

/** Validates special_tokens_map.json; `source` names the file in the error. */
export function parseSpecialTokensMap(raw: unknown, source: string): SpecialTokensMap {
  const parsed = specialTokensMapSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${source}: ${describeZodIssues(parsed.error)}`);
  return parsed.data;
}

/** The token's text, whichever form the file used. */
export function tokenContent(token: ConfigToken): string {
  return typeof token === 'string' ? token : token.content;
}

/**
 * The named special tokens: tokenizer_config.json wins, special_tokens_map.json fills what it
 * lacks (as transformers' from_pretrained does).
 */
export function namedSpecialTokens(
  config: TokenizerConfig,
  map: SpecialTokensMap | undefined,
): Partial<Record<NamedSpecialTokenKey, ConfigToken>> {
  const out: Partial<Record<NamedSpecialTokenKey, ConfigToken>> = {};
  for (const key of NAMED_SPECIAL_TOKEN_KEYS) {
    const token = config[key] ?? map?.[key];
    if (token !== null && token !== undefined) out[key] = token;
  }
  return out;
}

/** additional_special_tokens and extra_special_tokens, from the config or else the map. */
export function extraSpecialTokens(
  config: TokenizerConfig,
  map: SpecialTokensMap | undefined,
): ConfigToken[] {
  const extra = config.extra_special_tokens;
  const fromExtra = extra ? (Array.isArray(extra) ? extra : Object.values(extra)) : [];
  return [
    ...(config.additional_special_tokens ?? map?.additional_special_tokens ?? []),
    ...fromExtra,
  ];
}
