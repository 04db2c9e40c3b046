export { type ByteLevelBpeOptions, byteLevelAlphabet, byteLevelBpeJson } from './byte-level.js';
export {
  type DecodeOptions,
  type EncodeOptions,
  type EncodingWithOffsets,
  Tokenizer,
  type TokenizerSource,
} from './tokenizer.js';
export {
  type ConfigToken,
  configTokenSchema,
  type NamedChatTemplate,
  namedChatTemplateSchema,
  parseSpecialTokensMap,
  parseTokenizerConfig,
  type SpecialTokensMap,
  specialTokensMapSchema,
  type TokenizerConfig,
  tokenContent,
  tokenizerConfigSchema,
} from './tokenizer-config.js';
export {
  CHAT_TEMPLATE_FILE,
  readTokenizerFiles,
  SPECIAL_TOKENS_MAP_FILE,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  type TokenizerFiles,
} from './tokenizer-files.js';
export {
  type AddedToken,
  addedTokenSchema,
  parseTokenizerJson,
  type TokenizerJson,
  tokenizerJsonSchema,
} from './tokenizer-json.js';
