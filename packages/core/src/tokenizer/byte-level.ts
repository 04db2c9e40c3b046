/**
 * GPT-2's printable stand-in for each byte (`bytes_to_unicode` in openai/gpt-2 encoder.py): the
 * alphabet byte-level BPE vocabularies are spelled in (space is "Ġ", newline "Ċ").
 */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + n++);
  return out;
}

export interface ByteLevelBpeOptions {
  /** The id of byte 0 (default 0); SmolLM2 puts its special tokens first and the bytes after. */
  readonly byteOffset?: number;
  /** Merges in rank order; merge i makes token id byteOffset + 256 + i. */
  readonly merges?: readonly (readonly [string, string])[];
  /** Added tokens with their ids; special unless said otherwise. */
  readonly addedTokens?: readonly {
    readonly id: number;
    readonly content: string;
    readonly special?: boolean;
  }[];
  /** Default: plain ByteLevel (no prefix space). */
  readonly preTokenizer?: unknown;
  readonly postProcessor?: unknown;
  readonly decoder?: unknown;
}

const BYTE_LEVEL = {
  type: 'ByteLevel',
  add_prefix_space: false,
  trim_offsets: true,
  use_regex: true,
};

/**
 * The tokenizer.json of a byte-level BPE as Hugging Face tokenizers writes it (GPT-2, SmolLM2,
 * Qwen2): the 256 bytes from `byteOffset` on (GPT-2: id = byte value), then one id per merge; the
 * added tokens at the ids they name.
 */
export function byteLevelBpeJson(opts: ByteLevelBpeOptions = {}): Record<string, unknown> {
  const merges = opts.merges ?? [];
  const offset = opts.byteOffset ?? 0;
  const vocab: Record<string, number> = {};
  byteLevelAlphabet().forEach((c, b) => {
    vocab[c] = offset + b;
  });
  merges.forEach(([a, b], i) => {
    vocab[a + b] = offset + 256 + i;
  });
  const added = (opts.addedTokens ?? []).map((t) => ({
    id: t.id,
    content: t.content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: t.special ?? true,
  }));
  for (const t of added) vocab[t.content] = t.id;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: opts.preTokenizer ?? BYTE_LEVEL,
    post_processor: opts.postProcessor === undefined ? BYTE_LEVEL : opts.postProcessor,
    decoder: opts.decoder ?? BYTE_LEVEL,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([a, b]) => [a, b]),
    },
  };
}
