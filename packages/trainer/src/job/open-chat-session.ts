import {
  type ChatToolDefinition,
  type GenerationConfig,
  Generator,
  inputPositionsOf,
  UserError,
} from '@tunekit/core';
import { contextFromTokenizer, resolveChatTemplate } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import { ChatSession, splitWindow, type WindowSplit } from '../chat/index.js';
import {
  openRouting,
  type RouteDecision,
  type RouterSetting,
  routedAdapters,
} from '../router/index.js';
import { decodingConfig } from './decoding-config.js';
import { type BackendChoice, openInferenceBackend } from './inference-backend.js';
import { loadInferenceModel, templateSetting } from './inference-model.js';

/** What `openChatSession` chats with, and how (the flags of `tunekit chat`). */
export interface OpenChatSessionOptions extends BackendChoice {
  /** The container with core's, the first-party and any third-party plugins. */
  readonly container: DependencyContainer;
  /** The (base) model: a folder (relative to the working directory) or a Hub id. */
  readonly model: string;
  /** A PEFT adapter folder applied on top, e.g. what `trainFromConfig` saved. */
  readonly adapter?: string;
  /** Adapters by name for `router` to choose from (folders), besides router.yaml's own. */
  readonly adapters?: Readonly<Record<string, string>>;
  /** Picks, for each user message, the adapter (or none) that answers it. */
  readonly router?: RouterSetting;
  /** Told each route the router takes, before the answer. */
  readonly onRoute?: (route: RouteDecision) => void;
  /** The chat template (id or file); default the adapter's training template, else the model's own, else chatml. */
  readonly template?: string;
  /** The system message every conversation starts with. */
  readonly system?: string;
  /** Tools the model may call (OpenAI/HF tool schemas), given to the template as training does. */
  readonly tools?: readonly ChatToolDefinition[];
  /** Extra template variables, as `apply_chat_template`'s keyword arguments (Qwen3's `enable_thinking`). */
  readonly variables?: Readonly<Record<string, unknown>>;
  /**
   * Decoding settings over the model's generation_config.json (transformers' keys). max_new_tokens
   * defaults to 256, or half the model's positions when fewer; a length that leaves the
   * conversation no room is cut to that half, with a note through `warn`.
   */
  readonly generation?: GenerationConfig;
  /** Seeds sampling; each answer uses the next seed. Default 0. */
  readonly seed?: number;
  /** Whether weights holding NaN or Inf load (with a warning through `warn`). */
  readonly allowNonfinite?: boolean;
  /** Warnings and notes, one line each; default `console.warn`. */
  readonly warn?: (line: string) => void;
}

/** A chat opened by `openChatSession`: the session, and what it was opened with. */
export interface OpenedChat {
  readonly session: ChatSession;
  /** The chat template setting rendered with (an id or a file). */
  readonly template: string;
  /** How the model's positions are divided between the conversation and each answer. */
  readonly window: WindowSplit;
  /** Frees the generator and the backend; the session answers no more. */
  close(): Promise<void>;
}

/**
 * A conversation with a model, or a model with an adapter (`tunekit chat`): the model, its chat
 * template (the one it was trained with, by default), the split of its window and a generator on
 * the backend, put together as a `ChatSession`. A line too long for the window is refused by
 * `reply` with templates' TurnTooLongError (`describeTurnTooLong` says why).
 *
 * @example
 * const chat = await openChatSession({ container, model: 'models/tiny', adapter: 'out' });
 * try {
 *   await chat.session.reply('Hi!', (text) => process.stdout.write(text));
 * } finally {
 *   await chat.close();
 * }
 */
export async function openChatSession(options: OpenChatSessionOptions): Promise<OpenedChat> {
  const { container, generation = {} } = options;
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const { router } = options;
  if (options.adapters !== undefined && !router)
    throw new UserError('named adapters are chosen between by a router: give router too');
  const source = router
    ? { model: options.model, adapters: routedAdapters(router, options.adapters) }
    : options;
  const loaded = await loadInferenceModel(container, source, {
    allowNonfinite: options.allowNonfinite === true,
    warn: (message) => warn(`warning: ${message}`),
  });
  const { model, tokenizer } = loaded;
  const setting = templateSetting(loaded, options.template);
  const template = await resolveChatTemplate(container, setting);
  const backend = await openInferenceBackend(container, options, loaded.record);
  const routing =
    router &&
    (await openRouting(loaded, backend, router).catch(async (error) => {
      await backend.dispose();
      throw error;
    }));
  const positions = routing?.inputPositions ?? inputPositionsOf(model);
  const window = splitWindow(generation.max_new_tokens ?? undefined, positions);
  if (window.notice !== undefined) warn(window.notice);
  const generator = new Generator(model, backend, {
    maxLength: positions,
    variant: routing?.current,
  });
  const close = async () => {
    generator.dispose();
    routing?.dispose();
    await backend.dispose();
  };
  try {
    const session = new ChatSession({
      generator,
      tokenizer,
      template,
      context: contextFromTokenizer(tokenizer),
      system: options.system,
      tools: options.tools,
      variables: options.variables,
      generationConfig: decodingConfig(loaded, {
        ...generation,
        max_new_tokens: window.maxNewTokens,
      }),
      historyTokens: window.historyTokens,
      seed: options.seed ?? 0,
      beforeAnswer:
        routing &&
        (async (turn) => {
          const route = await routing.router.route(turn);
          options.onRoute?.(route);
          routing.activate(route.adapter);
        }),
    });
    return {
      session,
      template: setting,
      window,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
