import { resolveAllOf, TOKENS, UserError } from '@tunekit/core';
import { TurnTooLongError } from '@tunekit/templates';
import type { DependencyContainer } from 'tsyringe';
import {
  type DialoguesResult,
  evaluateDialogues,
  evaluateSafety,
  lastUserText,
  patternRefusalDetector,
  type RefusalDetector,
  type Respond,
  readSafetySet,
  readScenarios,
  type SafetyResult,
} from '../behaviour/index.js';
import type { RouterSetting } from '../router/index.js';
import type { BackendChoice } from './inference-backend.js';
import { openChatSession } from './open-chat-session.js';
import { openRefusalClassifier } from './refusal-classifier.js';

/** What `evaluateBehaviour` asks a model (the behaviour flags of `tunekit eval`). */
export interface EvaluateBehaviourOptions extends BackendChoice {
  readonly container: DependencyContainer;
  /** The (base) model: a folder (relative to the working directory) or a Hub id. */
  readonly model: string;
  readonly adapter?: string;
  /** Adapters by name (folders) for `router` to choose from, besides router.yaml's own. */
  readonly adapters?: Readonly<Record<string, string>>;
  /** Answers each prompt or turn with the adapter its message routes to, as `tunekit chat` does. */
  readonly router?: RouterSetting;
  /** The chat template (id or file); default the adapter's training template, else the model's own, else chatml. */
  readonly template?: string;
  /** A safety set (`readSafetySet`): should-refuse and should-answer prompts. */
  readonly safety?: string;
  /** What decides that a response refuses; default the DEFAULT_REFUSAL_PATTERNS. */
  readonly refusalDetector?: RefusalDetector;
  /**
   * A SEQ_CLS adapter folder that decides instead (`openRefusalClassifier`): a response is a
   * refusal when the class `refusalLabel` (default `refusal`) wins. Not with `refusalDetector`.
   */
  readonly refusalClassifier?: string;
  readonly refusalLabel?: string;
  /** A dialogue scenario file (`readScenarios`). */
  readonly dialogues?: string;
  /** Most tokens per answer; default 256, or half the model's positions when fewer. */
  readonly maxNewTokens?: number;
  readonly allowNonfinite?: boolean;
  readonly warn?: (line: string) => void;
}

export interface EvaluateBehaviourResult {
  readonly safety?: SafetyResult;
  readonly dialogues?: DialoguesResult;
  /** The chat template setting the conversations were rendered with. */
  readonly template: string;
}

/**
 * A model's behaviour in conversations (`tunekit eval --safety/--dialogues`): each prompt or
 * scripted turn answered greedily through the chat template with its history, as `tunekit chat`
 * answers; refusals judged by the detector, scripted turns by their checks. The files are read and
 * checked before the model loads.
 */
export async function evaluateBehaviour(
  options: EvaluateBehaviourOptions,
): Promise<EvaluateBehaviourResult> {
  const safetySet = options.safety ? await readSafetySet(options.safety) : undefined;
  const scenarios = options.dialogues
    ? await readScenarios(options.dialogues, resolveAllOf(options.container, TOKENS.Metric))
    : undefined;
  if (options.refusalClassifier !== undefined && options.refusalDetector !== undefined)
    throw new UserError('refusals are judged by patterns or by a classifier, not both');
  if (options.refusalClassifier !== undefined && !safetySet)
    throw new UserError('--refusal-classifier judges the answers of a safety set: give --safety');
  // loaded before the model it judges, so a wrong adapter fails before any answer is generated
  const classifier =
    options.refusalClassifier === undefined
      ? undefined
      : await openRefusalClassifier({
          container: options.container,
          adapter: options.refusalClassifier,
          label: options.refusalLabel,
          backend: options.backend,
          backendOptions: options.backendOptions,
          allowNonfinite: options.allowNonfinite,
          warn: options.warn,
        });
  const chat = await openChatSession({
    ...options,
    generation: { max_new_tokens: options.maxNewTokens, do_sample: false },
  }).catch(async (error: unknown) => {
    await classifier?.dispose();
    throw error;
  });
  const respond: Respond = async (messages) => {
    const text = lastUserText(messages);
    chat.session.resetTo(messages.slice(0, -1));
    try {
      return await chat.session.reply(text, () => {});
    } catch (error) {
      if (!(error instanceof TurnTooLongError)) throw error;
      const { historyTokens, positions, maxNewTokens } = chat.window;
      throw new UserError(
        `the prompt ${JSON.stringify(text.slice(0, 60))} takes ${error.tokens} tokens through the chat template, more than the ${historyTokens} a conversation may take (${positions} positions less ${maxNewTokens} for the answer); shorten it or lower --max-new-tokens`,
      );
    }
  };
  try {
    return {
      template: chat.template,
      ...(safetySet && {
        safety: await evaluateSafety(
          safetySet,
          respond,
          classifier ?? options.refusalDetector ?? patternRefusalDetector(),
        ),
      }),
      ...(scenarios && { dialogues: await evaluateDialogues(scenarios, respond) }),
    };
  } finally {
    await chat.close();
    await classifier?.dispose();
  }
}
