import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { UserError } from '../errors/index.js';
import { type FolderInput, folderSource } from '../io/index.js';
import { decodedSpans } from './decoded-spans.js';
import { withNamedSpecialTokens } from './named-special-tokens.js';
import { ShortDecodeCache } from './short-decode-cache.js';
import { NO_WRAP, type SpecialTokenWrap, specialTokenWrap } from './special-token-wrap.js';
import { alignTexts } from './text-alignment.js';
import {
  extraSpecialTokens,
  type NamedChatTemplate,
  namedSpecialTokens,
  parseSpecialTokensMap,
  parseTokenizerConfig,
  type TokenizerConfig,
  tokenContent,
} from './tokenizer-config.js';
import {
  readTokenizerFiles,
  SPECIAL_TOKENS_MAP_FILE,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  type TokenizerFiles,
} from './tokenizer-files.js';
import { type AddedToken, parseTokenizerJson } from './tokenizer-json.js';

export interface EncodeOptions {
  /** Add the special tokens the tokenizer wraps a text in (e.g. Llama's `<s>`); default true. */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (`<s>`, `<|im_end|>`...) from the text; default false. */
  readonly skipSpecialTokens?: boolean;
  /**
   * Remove spaces before punctuation (" ." -> "."), transformers' `clean_up_tokenization_spaces`;
   * default: the value in tokenizer_config.json, else false (transformers' current default).
   */
  readonly cleanUpTokenizationSpaces?: boolean;
}

/** Token ids with the `[start, end)` UTF-16 offsets each token covers in the encoded text. */
export interface EncodingWithOffsets {
  readonly ids: number[];
  /** Special tokens added around the text (not typed in it) get `[0, 0]`, as in the tokenizers library. */
  readonly offsets: [number, number][];
}

/** Where a Tokenizer's files came from, to name them in errors. */
export interface TokenizerSource {
  /** The folder (or any label for in-memory files); file names are joined to it. */
  readonly dir: string;
  /** Where file `name` is (a FileSource's `pathOf`); default `<dir>/<name>`. */
  readonly pathOf?: (name: string) => string;
}

/**
 * A Hugging Face tokenizer: tokenizer.json run by `@huggingface/tokenizers`, with the
 * special tokens, `add_bos_token`/`add_eos_token`, chat template and length limit of
 * tokenizer_config.json (special_tokens_map.json fills special tokens the config lacks).
 */
export class Tokenizer {
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly padToken: string | undefined;
  readonly unkToken: string | undefined;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly unkTokenId: number | undefined;
  /** Whether `encode` puts bos before / eos after the text (by default, `addSpecialTokens`). */
  readonly addBosToken: boolean;
  readonly addEosToken: boolean;
  /** tokenizer.json's added tokens plus the named special tokens transformers adds to them. */
  readonly addedTokens: readonly AddedToken[];
  /** Ids of the added tokens marked special: what `skipSpecialTokens` drops. */
  readonly specialTokenIds: ReadonlySet<number>;
  /** The Jinja chat template(s): one template, or the named list (`default`, `tool_use`...). */
  readonly chatTemplate: string | readonly NamedChatTemplate[] | undefined;
  /** The longest input the model takes; undefined when the config sets no limit. */
  readonly modelMaxLength: number | undefined;
  /** Number of distinct token ids, added tokens included (transformers' `len(tokenizer)`). */
  readonly vocabSize: number;
  /** tokenizer_config.json as validated, unknown keys kept. */
  readonly config: TokenizerConfig;

  private readonly hf: HfTokenizer;
  /** Raw decodes of the short windows that offsets ask for. */
  private readonly shortDecodes: ShortDecodeCache;
  private readonly wrap: SpecialTokenWrap;
  private readonly cleanUpSpaces: boolean;

  private constructor(files: TokenizerFiles, source: TokenizerSource) {
    const pathOf = source.pathOf ?? ((name: string) => `${source.dir}/${name}`);
    const tokenizerFile = pathOf(TOKENIZER_FILE);
    const configFile = pathOf(TOKENIZER_CONFIG_FILE);
    const json = parseTokenizerJson(files.tokenizer, tokenizerFile);
    const config = parseTokenizerConfig(files.config ?? {}, configFile);
    const map =
      files.specialTokensMap === undefined
        ? undefined
        : parseSpecialTokensMap(files.specialTokensMap, pathOf(SPECIAL_TOKENS_MAP_FILE));
    const named = namedSpecialTokens(config, map);
    const extra = extraSpecialTokens(config, map);
    const addedTokens = withNamedSpecialTokens(json, [...Object.values(named), ...extra]);

    // The library gets plain-string tokens (it reads a few config keys as strings) and no
    // post-processor: `wrap` adds the special tokens, so offsets know which ones it added.
    const libConfig = {
      ...config,
      ...Object.fromEntries(Object.entries(named).map(([key, t]) => [key, tokenContent(t)])),
      additional_special_tokens: extra.map(tokenContent),
    };
    try {
      this.hf = new HfTokenizer(
        { ...json, added_tokens: addedTokens, post_processor: null },
        libConfig,
      );
    } catch (err) {
      throw new UserError(`${tokenizerFile}: ${(err as Error).message}`);
    }

    this.config = config;
    this.addedTokens = addedTokens;
    this.specialTokenIds = new Set(addedTokens.filter((t) => t.special).map((t) => t.id));
    this.bosToken = named.bos_token && tokenContent(named.bos_token);
    this.eosToken = named.eos_token && tokenContent(named.eos_token);
    this.padToken = named.pad_token && tokenContent(named.pad_token);
    this.unkToken = named.unk_token && tokenContent(named.unk_token);
    this.bosTokenId = this.bosToken === undefined ? undefined : this.tokenToId(this.bosToken);
    this.eosTokenId = this.eosToken === undefined ? undefined : this.tokenToId(this.eosToken);
    this.padTokenId = this.padToken === undefined ? undefined : this.tokenToId(this.padToken);
    this.unkTokenId = this.unkToken === undefined ? undefined : this.tokenToId(this.unkToken);

    // As transformers does: either flag in the config replaces the post-processor by
    // "[bos] $A [eos]" built from both flags; otherwise tokenizer.json's post-processor holds.
    const flagged = 'add_bos_token' in config || 'add_eos_token' in config;
    this.wrap = flagged
      ? {
          prefix: config.add_bos_token && this.bosTokenId !== undefined ? [this.bosTokenId] : [],
          suffix: config.add_eos_token && this.eosTokenId !== undefined ? [this.eosTokenId] : [],
        }
      : specialTokenWrap(json.post_processor, tokenizerFile);
    this.addBosToken = this.bosTokenId !== undefined && this.wrap.prefix.includes(this.bosTokenId);
    this.addEosToken = this.eosTokenId !== undefined && this.wrap.suffix.includes(this.eosTokenId);

    this.chatTemplate = files.chatTemplate ?? config.chat_template ?? undefined;
    const maxLength = config.model_max_length ?? undefined;
    this.modelMaxLength =
      maxLength !== undefined && maxLength <= Number.MAX_SAFE_INTEGER ? maxLength : undefined;
    const vocab = this.hf.get_vocab(true);
    this.vocabSize = vocab.size;
    let idLimit = 0;
    for (const id of vocab.values()) idLimit = Math.max(idLimit, id + 1);
    this.shortDecodes = new ShortDecodeCache((ids) => this.rawDecode(ids), idLimit);
    this.cleanUpSpaces = config.clean_up_tokenization_spaces ?? false;
  }

  /**
   * Loads tokenizer.json and tokenizer_config.json (+ special_tokens_map.json, chat_template.jinja)
   * from a folder: a path, a URL in a browser, or any FileSource.
   */
  static async fromFolder(dir: FolderInput): Promise<Tokenizer> {
    const source = folderSource(dir);
    return new Tokenizer(await readTokenizerFiles(source), {
      dir: source.location,
      pathOf: (name) => source.pathOf(name),
    });
  }

  /** Builds a tokenizer from already-parsed files; `source.dir` names them in errors. */
  static fromFiles(
    files: TokenizerFiles,
    source: TokenizerSource = { dir: '<memory>' },
  ): Tokenizer {
    return new Tokenizer(files, source);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const ids = this.hf.encode(text, { add_special_tokens: false }).ids;
    const { prefix, suffix } = opts.addSpecialTokens === false ? NO_WRAP : this.wrap;
    return [...prefix, ...ids, ...suffix];
  }

  /**
   * `encode` plus each token's offsets in `text`. The library reports no offsets, so they are
   * recovered: each token's part of the decoded text (`decodedSpans`), mapped onto `text`
   * through an alignment of the decoded text with it (`alignTexts`).
   */
  encodeWithOffsets(text: string, opts: EncodeOptions = {}): EncodingWithOffsets {
    const ids = this.hf.encode(text, { add_special_tokens: false }).ids;
    const decoded = decodedSpans(ids, (window) => this.shortDecodes.text(window));
    const alignment = alignTexts(decoded.text, text);
    const offsets = decoded.spans.map(([start, end]) => alignment.span(start, end));
    const { prefix, suffix } = opts.addSpecialTokens === false ? NO_WRAP : this.wrap;
    const added = (n: number) => Array.from({ length: n }, (): [number, number] => [0, 0]);
    return {
      ids: [...prefix, ...ids, ...suffix],
      offsets: [...added(prefix.length), ...offsets, ...added(suffix.length)],
    };
  }

  /** The text of `ids`; ids the tokenizer does not know (e.g. padded embedding rows) are dropped. */
  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    const known = ids.filter((id) => this.idToToken(id) !== undefined);
    if (known.length === 0) return '';
    return this.hf.decode(known, {
      skip_special_tokens: opts.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: opts.cleanUpTokenizationSpaces ?? this.cleanUpSpaces,
    });
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.hf.id_to_token(id) : undefined;
  }

  private rawDecode(ids: readonly number[]): string {
    return this.hf.decode([...ids], {
      skip_special_tokens: false,
      clean_up_tokenization_spaces: false,
    });
  }
}
