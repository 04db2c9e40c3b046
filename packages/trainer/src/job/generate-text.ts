import { type FinishReason, type GenerationConfig, Generator, UserError } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { TextStream } from '../chat/index.js';
import type { RouteDecision, RouterSetting } from '../router/index.js';
import { decodingConfig } from './decoding-config.js';
import { generateRouted } from './generate-routed.js';
import { type BackendChoice, openInferenceBackend } from './inference-backend.js';
import { loadInferenceModel } from './inference-model.js';

/** What `generateText` continues, with what, and how (the flags of `tunekit generate`). */
export interface GenerateTextOptions extends BackendChoice {
  /** The container with core's, the first-party and any third-party plugins. */
  readonly container: DependencyContainer;
  /** The (base) model: a folder (relative to the working directory) or a Hub id. */
  readonly model: string;
  /** A PEFT adapter folder applied on top. */
  readonly adapter?: string;
  /** Adapters by name for `router` to choose from (folders), besides router.yaml's own. */
  readonly adapters?: Readonly<Record<string, string>>;
  /** Picks the adapter (or none) that continues the prompt (`generateRouted`). */
  readonly router?: RouterSetting;
  /** The text to continue, tokenised as it is (no chat template). */
  readonly prompt: string;
  /** Decoding settings over the model's generation_config.json (transformers' keys and defaults). */
  readonly generation?: GenerationConfig;
  /** Seeds sampling; default 0. */
  readonly seed?: number;
  /** Called with the new text as it becomes final, piece by piece; the pieces make up `text`. */
  readonly onText?: (text: string) => void;
  /** Whether weights holding NaN or Inf load (with a warning through `warn`). */
  readonly allowNonfinite?: boolean;
  /** Warnings, one line each; default `console.warn`. */
  readonly warn?: (line: string) => void;
}

/** What `generateText` produced. */
export interface GeneratedText {
  /** The prompt's token ids. */
  readonly promptIds: readonly number[];
  /** The new token ids, with the eos token that ended them, if one did. */
  readonly tokens: readonly number[];
  /** The new text, without eos and cut before a stop string. */
  readonly text: string;
  readonly finishReason: FinishReason;
  /** With a router: the adapter it chose, and why. */
  readonly route?: RouteDecision;
}

/**
 * Continues a prompt with a model, or a model with an adapter (`tunekit generate`), streaming the
 * text through `onText` as it is generated.
 *
 * @example
 * const { text } = await generateText({ container, model: 'models/tiny', prompt: 'Once' });
 */
export async function generateText(options: GenerateTextOptions): Promise<GeneratedText> {
  const { container, onText, router } = options;
  if (router) {
    const { prompt, adapter, ...rest } = options;
    if (adapter !== undefined)
      throw new UserError('with a router, name each adapter (adapters: name=folder), not adapter');
    const [row] = await generateRouted({
      ...rest,
      router,
      prompts: [prompt],
      onText: onText && ((_, text) => onText(text)),
    });
    return row;
  }
  if (options.adapters !== undefined)
    throw new UserError('named adapters are chosen between by a router: give router too');
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const loaded = await loadInferenceModel(container, options, {
    allowNonfinite: options.allowNonfinite === true,
    warn: (message) => warn(`warning: ${message}`),
  });
  const { model, tokenizer } = loaded;
  const config = decodingConfig(loaded, options.generation ?? {});
  const promptIds = tokenizer.encode(options.prompt);
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const stream = onText && new TextStream(decode, onText, config.stop_strings);
  const eos = new Set(config.eos_token_id);
  const backend = await openInferenceBackend(container, options, loaded.record);
  const generator = new Generator(model, backend, {
    maxLength: promptIds.length + config.max_new_tokens,
  });
  try {
    const [row] = await generator.generate([promptIds], config, {
      seed: options.seed ?? 0,
      decode,
      onToken: (_, token) => {
        // an eos token ends the text and is not part of it
        if (!eos.has(token)) stream?.push(token);
      },
    });
    const text = row.text ?? decode(row.tokens);
    stream?.end(text);
    return { promptIds, tokens: row.tokens, text, finishReason: row.finishReason };
  } finally {
    generator.dispose();
    await backend.dispose();
  }
}
