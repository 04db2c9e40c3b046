import {
  type Backend,
  type CausalLM,
  type EvalOutputs,
  type Metric,
  type MetricValues,
  type Tokenizer,
  UserError,
} from '@tunekit/core';
import type { EvalPrompt } from '../data/index.js';
import { BUILTIN_METRICS } from './eval-metrics.js';
import { checkFiniteMetrics } from './finite-metrics.js';
import {
  type GeneratedSample,
  type GenerateSamplesOptions,
  generateSamples,
} from './generate-samples.js';
import { GeneratorCache } from './generator-cache.js';
import { type EvalBatch, TokenEvaluator } from './token-evaluator.js';

/** The generation-based metrics' sample and decoding. */
export interface GenerationEvalOptions
  extends Pick<GenerateSamplesOptions, 'generationConfig' | 'batchSize'> {
  /** How many eval prompts to generate for: the first ones, so every evaluation sees the same. Default 16. */
  readonly numSamples?: number;
}

export interface EvaluatorOptions {
  readonly model: CausalLM;
  readonly backend: Backend;
  /** Tokenises the prompts and decodes the answers; its eos ends them. */
  readonly tokenizer: Tokenizer;
  /** Generation-based metrics (exact match, BLEU, ROUGE) on a sample; false skips them. */
  readonly generation?: GenerationEvalOptions | false;
  /**
   * Metrics besides the built-in ones, e.g. everything registered under TOKENS.Metric (the
   * built-ins among them run once). Each must read EvalOutputs.
   */
  readonly metrics?: readonly Metric[];
}

/** What one evaluation gives: the built-in metrics by their names, all values, and the samples. */
export interface EvalResult {
  /** Mean cross-entropy per supervised token. */
  readonly loss: number;
  readonly perplexity: number;
  readonly token_accuracy: number;
  /** The generation metrics: present when a sample was generated. */
  readonly exact_match?: number;
  readonly exact_match_normalized?: number;
  /** 0-100, as sacrebleu reports it. */
  readonly bleu?: number;
  /** F-measures, 0-1. */
  readonly rouge1?: number;
  readonly rouge2?: number;
  readonly rougeL?: number;
  /** Every metric's values by name (the above and the extra metrics'), for logs and callbacks. */
  readonly metrics: MetricValues;
  /** Prompt, reference and prediction of each generated example, for people to read. */
  readonly samples: readonly GeneratedSample[];
}

/** An eval split's token totals and generated answers, before the metrics (`Evaluator.measure`). */
export interface MeasuredEval extends EvalOutputs {
  readonly samples: readonly GeneratedSample[];
}

const GENERATION_KEYS = [
  'exact_match',
  'exact_match_normalized',
  'bleu',
  'rouge1',
  'rouge2',
  'rougeL',
] as const;

/**
 * Evaluates a model on an eval split: token metrics from one forward pass per batch, generation
 * metrics from greedy answers to a sample of its prompts. Made once per run, it keeps the token
 * and generation graphs compiled across evaluations and reads the model's current weights at each.
 */
export class Evaluator {
  private readonly tokens: TokenEvaluator;
  private readonly generators: GeneratorCache;
  private readonly metrics: readonly Metric<EvalOutputs>[];

  constructor(private readonly opts: EvaluatorOptions) {
    this.tokens = new TokenEvaluator(opts.model, opts.backend);
    this.generators = new GeneratorCache(opts.model, opts.backend);
    const extra = (opts.metrics ?? []).filter((m) => !BUILTIN_METRICS.includes(m));
    this.metrics = [...BUILTIN_METRICS, ...extra];
    const ids = this.metrics.map((m) => m.id);
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (twice.length > 0)
      throw new UserError(
        `metric id '${twice[0]}' is given twice; metric ids must be unique (${ids.join(', ')})`,
      );
  }

  /**
   * `batches`: the eval split as the data pipeline batches it (SftData.eval); `prompts`: its
   * examples as generation tasks (SftData.evalPrompts).
   */
  async evaluate(
    batches: Iterable<EvalBatch> | AsyncIterable<EvalBatch>,
    prompts: readonly EvalPrompt[],
  ): Promise<EvalResult> {
    return this.score(await this.measure(batches, prompts));
  }

  /**
   * What `evaluate` scores, before the metrics: the token totals of `batches` and the answers to
   * the first `numSamples` of `prompts`. Parts of a split measured apart (each with the adapter a
   * router chose) are scored together once their totals are summed.
   */
  async measure(
    batches: Iterable<EvalBatch> | AsyncIterable<EvalBatch>,
    prompts: readonly EvalPrompt[],
  ): Promise<MeasuredEval> {
    const tokens = await this.tokens.run(batches);
    const generation = this.opts.generation;
    const samples =
      generation === false
        ? []
        : await generateSamples(prompts.slice(0, generation?.numSamples ?? 16), {
            ...this.opts,
            ...generation,
            generators: this.generators,
          });
    return { tokens, samples };
  }

  /** The metrics of measured outputs, with the built-in ones by name. */
  async score({ tokens, samples }: MeasuredEval): Promise<EvalResult> {
    if (tokens.tokens === 0)
      throw new UserError(
        'evaluation: the eval batches have no supervised tokens (every label is -100 once shifted); check the eval data and the loss policy',
      );
    const metrics = await this.compute({ tokens, samples });
    const result: Record<string, unknown> = {
      loss: metrics.loss,
      perplexity: metrics.perplexity,
      token_accuracy: metrics.token_accuracy,
    };
    for (const key of GENERATION_KEYS) if (key in metrics) result[key] = metrics[key];
    return { ...(result as Omit<EvalResult, 'metrics' | 'samples'>), metrics, samples };
  }

  dispose(): void {
    this.tokens.dispose();
    this.generators.dispose();
  }

  /** Each metric's values, merged; two metrics giving the same name is an error. */
  private async compute(outputs: EvalOutputs): Promise<MetricValues> {
    const merged: Record<string, number> = {};
    const from = new Map<string, string>();
    for (const metric of this.metrics) {
      for (const [name, value] of Object.entries(await metric.compute(outputs))) {
        const earlier = from.get(name);
        if (earlier !== undefined)
          throw new UserError(`metrics '${earlier}' and '${metric.id}' both report '${name}'`);
        from.set(name, metric.id);
        merged[name] = value;
      }
    }
    return merged;
  }
}

export interface EvaluateOptions extends EvaluatorOptions {
  readonly batches: Iterable<EvalBatch> | AsyncIterable<EvalBatch>;
  readonly prompts: readonly EvalPrompt[];
}

/**
 * One evaluation with a fresh Evaluator (`tunekit eval`); a training run keeps one Evaluator. A
 * metric that is NaN or ±Inf is an error naming it.
 */
export async function evaluate(opts: EvaluateOptions): Promise<EvalResult> {
  const evaluator = new Evaluator(opts);
  try {
    const result = await evaluator.evaluate(opts.batches, opts.prompts);
    checkFiniteMetrics(result.metrics);
    return result;
  } finally {
    evaluator.dispose();
  }
}
