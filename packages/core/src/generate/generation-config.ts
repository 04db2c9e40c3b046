import { z } from 'zod';
import { parseOrThrow } from '../errors/index.js';
import {
  type FolderInput,
  folderSource,
  HF_GENERATION_CONFIG_FILE,
  readGenerationConfig,
} from '../io/index.js';

const tokenId = z.number().int().nonnegative();
const tokenIds = z.union([tokenId, z.array(tokenId)]);

/**
 * Decoding settings keyed as transformers' `GenerationConfig` and `generation_config.json` (null
 * means unset, as transformers writes it; keys this schema does not use are kept and ignored).
 */
export const generationConfigSchema = z.looseObject({
  /** How many tokens to generate at most per prompt. */
  max_new_tokens: z.number().int().positive().nullish(),
  /** Sample from the processed distribution; false: greedy (argmax). */
  do_sample: z.boolean().nullish(),
  /** Divides the logits when sampling; 0 means greedy. */
  temperature: z.number().nonnegative().nullish(),
  /** Keeps the k most likely tokens when sampling; 0 keeps all. */
  top_k: z.number().int().nonnegative().nullish(),
  /** Keeps the smallest set of most likely tokens whose probability reaches top_p, when sampling. */
  top_p: z.number().gt(0).lte(1).nullish(),
  /** HF's CTRL-style penalty on tokens already in the sequence; 1 is none. */
  repetition_penalty: z.number().positive().nullish(),
  /** A row stops when it emits one of these (Llama 3 lists both `<|end_of_text|>` and `<|eot_id|>`). */
  eos_token_id: tokenIds.nullish(),
  bos_token_id: tokenId.nullish(),
  /** Fed in place of tokens for padding and for finished rows; default the first eos id, else 0. */
  pad_token_id: tokenId.nullish(),
  /** A row stops when its generated text contains one of these (needs `decode`). */
  stop_strings: z.union([z.string().min(1), z.array(z.string().min(1))]).nullish(),
});

export type GenerationConfig = z.input<typeof generationConfigSchema>;

/** transformers' defaults for the settings the generator uses. */
const DEFAULTS = {
  max_new_tokens: 20,
  do_sample: false,
  temperature: 1,
  top_k: 50,
  top_p: 1,
  repetition_penalty: 1,
};

export type ResolvedGenerationConfig = typeof DEFAULTS & {
  readonly eos_token_id?: number | readonly number[];
  readonly pad_token_id?: number;
  readonly stop_strings?: string | readonly string[];
};

/**
 * Later layers override earlier ones (e.g. a model's generation_config.json, then the user's
 * flags); unset values (null, undefined) override nothing; the rest are transformers' defaults. A
 * bad value is a UserError naming the field.
 */
export function resolveGenerationConfig(...layers: GenerationConfig[]): ResolvedGenerationConfig {
  const resolved: Record<string, unknown> = { ...DEFAULTS };
  for (const layer of layers) {
    const parsed = parseOrThrow(generationConfigSchema, layer, 'invalid generation config');
    for (const [key, value] of Object.entries(parsed)) if (value != null) resolved[key] = value;
  }
  return resolved as ResolvedGenerationConfig;
}

/** A folder's generation_config.json, validated; undefined when the folder has none. */
export async function readGenerationConfigFile(
  dir: FolderInput,
): Promise<GenerationConfig | undefined> {
  const source = folderSource(dir);
  const raw = await readGenerationConfig(source);
  return raw && parseOrThrow(generationConfigSchema, raw, source.pathOf(HF_GENERATION_CONFIG_FILE));
}

/** eos_token_id as a set (HF allows one id or a list), with the tokenizer's eos when given. */
export function eosIds(
  config: { readonly eos_token_id?: number | readonly number[] | null },
  tokenizer?: { readonly eosTokenId: number | undefined },
): ReadonlySet<number> {
  const eos = config.eos_token_id;
  const ids = eos == null ? [] : typeof eos === 'number' ? [eos] : [...eos];
  if (tokenizer?.eosTokenId !== undefined) ids.push(tokenizer.eosTokenId);
  return new Set(ids);
}

/** stop_strings as a list (HF allows one string or a list). */
export function stopStrings(config: ResolvedGenerationConfig): readonly string[] {
  const stop = config.stop_strings ?? [];
  return typeof stop === 'string' ? [stop] : stop;
}
