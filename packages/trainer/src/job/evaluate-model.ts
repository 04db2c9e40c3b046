import {
  inputPositionsOf,
  type MetricValues,
  type NonFiniteOptions,
  parseOrThrow,
  resolveAllOf,
  TOKENS,
  UserError,
} from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { loadSftData, sftDataConfigSchema } from '../data/index.js';
import {
  type EvalResult,
  evaluate,
  type GeneratedSample,
  inapplicableMetrics,
  type NgramMetricName,
} from '../eval/index.js';
import { type RouterSetting, routedAdapters } from '../router/index.js';
import { describeCutAnswers, evalGeneration } from './eval-generation.js';
import { evaluateHeadTask, type HeadTaskEvaluation, headTaskOf } from './evaluate-head-task.js';
import { evaluatePreferences } from './evaluate-preferences.js';
import { evaluateRouted, type RoutedEvalResult } from './evaluate-routed.js';
import { type BackendChoice, openInferenceBackend } from './inference-backend.js';
import { loadInferenceModel, templateSetting } from './inference-model.js';
import { generationSchema } from './train-config.js';

/** The data settings of a training record that decide how eval examples are tokenised. */
const TOKENISATION_KEYS = [
  'format',
  'skip_invalid',
  'remove_duplicates',
  'system',
  'loss_policy',
  'max_length',
  'bucket_lengths',
  'per_device_eval_batch_size',
  'seed',
] as const;

/** What `evaluateModel` evaluates, on what, and how (the flags of `tunekit eval`). */
export interface EvaluateModelOptions extends BackendChoice {
  /** The container with core's, the first-party and any third-party plugins. */
  readonly container: DependencyContainer;
  /** The (base) model: a folder (relative to the working directory) or a Hub id. */
  readonly model: string;
  /** A PEFT adapter folder applied on top, e.g. what `trainFromConfig` saved. */
  readonly adapter?: string;
  /** Adapters by name (folders) for `router` to choose from, besides router.yaml's own. */
  readonly adapters?: Readonly<Record<string, string>>;
  /** Routes each eval example to an adapter by its user message (`evaluateRouted`). */
  readonly router?: RouterSetting;
  /** The eval data: a JSONL or JSON file, or a glob. */
  readonly data: string;
  /** The chat template (id or file); default the adapter's training template, else the model's own, else chatml. */
  readonly template?: string;
  /** Prompts answered for exact match, BLEU and ROUGE; default as in training, else 16. */
  readonly numSamples?: number;
  /** Most tokens per answer; default as in training, else 64. */
  readonly maxNewTokens?: number;
  /** Whether weights holding NaN or Inf load (with a warning through `warn`). */
  readonly allowNonfinite?: boolean;
  /** Warnings and notes, one line each; default `console.warn`. */
  readonly warn?: (line: string) => void;
  /**
   * A task of the adapter's multi-task run: one with a head of its own (a classifier) is scored
   * through that head (loss, accuracy, macro-F1, confusion matrix); an LM task as any data is.
   */
  readonly task?: string;
}

/** What `evaluateModel` measured. */
export interface EvaluateModelResult {
  /** Loss, perplexity, token accuracy and each registered metric, by name. */
  readonly metrics: MetricValues;
  /** The prompts answered, with their references and predictions. */
  readonly samples: readonly GeneratedSample[];
  readonly examples: number;
  /** The chat template setting the data was rendered with. */
  readonly template: string;
  /** With a router: eval examples by the adapter (or `none`) it picked for them. */
  readonly routes?: Readonly<Record<string, number>>;
  /** The n-gram metrics left out because no reference has enough words for them. */
  readonly leftOut: readonly { readonly metric: NgramMetricName; readonly order: number }[];
  /** A head task's confusion matrix (rows: true label, columns: predicted). */
  readonly confusion?: HeadTaskEvaluation['confusion'];
}

/**
 * The trainer's evaluation of a model, or a model with an adapter, on a data file (`tunekit
 * eval`). An adapter that `trainFromConfig` saved is scored as in training: its record's
 * tokenisation and generation settings are used, so the same data gives the same scores.
 */
export async function evaluateModel(options: EvaluateModelOptions): Promise<EvaluateModelResult> {
  const { container } = options;
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const nonFinite: NonFiniteOptions = {
    allowNonfinite: options.allowNonfinite === true,
    warn: (message) => warn(`warning: ${message}`),
  };
  const { router } = options;
  if (options.adapters !== undefined && !router)
    throw new UserError('named adapters are chosen between by a router: give router too');
  const source = router
    ? { model: options.model, adapters: routedAdapters(router, options.adapters) }
    : options;
  const loaded = await loadInferenceModel(container, source, nonFinite);
  const { model, tokenizer, record } = loaded;
  // loadSftData reads the template as a config's template: does (an id, or a file from here)
  const template = templateSetting(loaded, options.template);
  const trained: Readonly<Record<string, unknown>> = record?.config ?? {};
  const settings = Object.fromEntries(
    TOKENISATION_KEYS.filter((key) => trained[key] !== undefined).map((key) => [key, trained[key]]),
  );
  const dataConfig = parseOrThrow(
    sftDataConfigSchema,
    { ...settings, train: options.data, eval: options.data, template },
    'eval data settings',
  );
  const head = options.task === undefined ? undefined : headTaskOf(loaded, options.task);
  if (head) {
    if (router) throw new UserError('--task scores one adapter’s head; a router picks adapters');
    const scored = await evaluateHeadTask({ ...options, loaded, head, dataConfig });
    return { ...scored, samples: [], template, leftOut: [] };
  }
  if (trained.trainer === 'dpo' || trained.trainer === 'kto') {
    if (router)
      throw new UserError(
        `a router picks adapters for SFT eval data; a ${trained.trainer.toUpperCase()} adapter is scored alone`,
      );
    return evaluatePreferences({
      ...options,
      loaded,
      dataConfig,
      template,
      warn,
      trainer: trained.trainer,
    });
  }
  const data = await loadSftData(dataConfig, {
    container,
    tokenizer,
    tokenizerDir: loaded.tokenizerDir,
  });
  const generation = parseOrThrow(
    generationSchema,
    {
      ...(record?.config.generation as object | undefined),
      ...(options.numSamples !== undefined ? { num_samples: options.numSamples } : {}),
      ...(options.maxNewTokens !== undefined ? { max_new_tokens: options.maxNewTokens } : {}),
    },
    'generation settings',
  );
  const backend = await openInferenceBackend(container, options, record);
  try {
    const evalOptions = {
      generation: evalGeneration(
        generation,
        dataConfig.per_device_eval_batch_size,
        loaded.generationConfig,
      ),
      metrics: resolveAllOf(container, TOKENS.Metric),
    };
    const result: EvalResult & Partial<Pick<RoutedEvalResult, 'routes'>> = router
      ? await evaluateRouted({
          ...evalOptions,
          loaded,
          backend,
          router,
          data,
          batchSize: dataConfig.per_device_eval_batch_size,
        })
      : await evaluate({
          ...evalOptions,
          model,
          backend,
          tokenizer,
          batches: data.eval ?? [],
          prompts: data.evalPrompts,
        });
    const cut = describeCutAnswers(
      result.samples,
      generation.max_new_tokens,
      inputPositionsOf(model),
    );
    if (cut !== undefined) warn(cut);
    const references = result.samples.map((s) => s.reference);
    const leftOut =
      result.samples.length === 0
        ? []
        : inapplicableMetrics(references).filter((m) => !(m.metric in result.metrics));
    return {
      metrics: result.metrics,
      samples: result.samples,
      examples: data.stats.evalExamples,
      template,
      ...(result.routes && { routes: result.routes }),
      leftOut,
    };
  } finally {
    await backend.dispose();
  }
}
