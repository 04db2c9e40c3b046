import type { Backend, Metric } from '@tunekit/core';
import {
  collate,
  type Example,
  planBatches,
  type SftData,
  type TrainBatch,
} from '../data/index.js';
import {
  type EvalResult,
  Evaluator,
  type GeneratedSample,
  type GenerationEvalOptions,
} from '../eval/index.js';
import { openRouting, type RouteDecision, type RouterSetting } from '../router/index.js';
import type { InferenceModel } from './inference-model.js';

/** What `evaluateRouted` scores: a model with named adapters, a router, and the eval split. */
export interface EvaluateRoutedOptions {
  readonly loaded: InferenceModel;
  readonly backend: Backend;
  readonly router: RouterSetting;
  readonly data: Pick<SftData, 'evalExamples' | 'evalPrompts' | 'bucketLengths'>;
  readonly batchSize: number;
  /** The answers' decoding and how many prompts are answered; false answers none. */
  readonly generation: GenerationEvalOptions | false;
  readonly metrics: readonly Metric[];
}

/** A routed evaluation: the metrics over the whole split, and how many examples each route took. */
export interface RoutedEvalResult extends EvalResult {
  /** Eval examples by the adapter (or `none`) the router picked for them. */
  readonly routes: Readonly<Record<string, number>>;
}

/**
 * Evaluates as a router serves: each eval example goes to the adapter the router picks for its
 * user message (rules, then the classifier, then the default; a record without one, plain text,
 * takes the default). Each route's examples are measured with its adapter active (its loss and
 * token accuracy, and its answers to the sampled prompts), then the totals and answers are
 * scored together, so the metrics are those of the routed model over the whole split.
 */
export async function evaluateRouted(options: EvaluateRoutedOptions): Promise<RoutedEvalResult> {
  const { loaded, backend, data, generation } = options;
  const { model, tokenizer } = loaded;
  const routing = await openRouting(loaded, backend, options.router);
  try {
    const messages = new Map(data.evalPrompts.map((p) => [p.where, p.message]));
    const routes = await routeExamples(
      data.evalExamples.map((e) => messages.get(e.where)),
      (requests) => routing.router.routeAll(requests),
      options.router.config.default,
    );
    const routeOf = new Map(data.evalExamples.map((e, i) => [e.where, routes[i].adapter]));
    const sampled =
      generation === false ? [] : data.evalPrompts.slice(0, generation.numSamples ?? 16);
    const evaluatorOptions = {
      model,
      backend,
      tokenizer,
      generation: generation && { ...generation, numSamples: sampled.length },
      metrics: options.metrics,
    };
    const padTokenId = tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0;
    const totals = { lossSum: 0, correct: 0, tokens: 0 };
    const samples: GeneratedSample[] = new Array(sampled.length);
    const counts: Record<string, number> = {};
    for (const route of new Set(routes.map((r) => r.adapter))) {
      const ids = routes.flatMap((r, i) => (r.adapter === route ? [i] : []));
      const prompts = sampled.flatMap((p, k) => (routeOf.get(p.where) === route ? [k] : []));
      counts[route] = ids.length;
      routing.activate(route);
      // graphs are traced with the active adapter's weights, so each route has its own Evaluator
      const evaluator = new Evaluator(evaluatorOptions);
      try {
        const measured = await evaluator.measure(
          batchesOf(ids, data.evalExamples, options.batchSize, data.bucketLengths, padTokenId),
          prompts.map((k) => sampled[k]),
        );
        totals.lossSum += measured.tokens.lossSum;
        totals.correct += measured.tokens.correct;
        totals.tokens += measured.tokens.tokens;
        measured.samples.forEach((sample, j) => {
          samples[prompts[j]] = sample;
        });
      } finally {
        evaluator.dispose();
      }
    }
    const scorer = new Evaluator(evaluatorOptions);
    try {
      return { ...(await scorer.score({ tokens: totals, samples })), routes: counts };
    } finally {
      scorer.dispose();
    }
  } finally {
    routing.dispose();
  }
}

/** Each example's route: its user message routed, or the default where it has none. */
async function routeExamples(
  messages: readonly (string | undefined)[],
  routeAll: (requests: { message: string }[]) => Promise<RouteDecision[]>,
  fallback: string,
): Promise<RouteDecision[]> {
  const asked = messages.flatMap((m, i) => (m === undefined ? [] : [i]));
  const decided = await routeAll(asked.map((i) => ({ message: messages[i] as string })));
  const routes: RouteDecision[] = messages.map(() => ({ adapter: fallback, by: 'default' }));
  asked.forEach((i, k) => {
    routes[i] = decided[k];
  });
  return routes;
}

/** The eval batches of some examples (one a row, bucketed as the eval split is). */
function batchesOf(
  ids: readonly number[],
  examples: readonly Example[],
  batchSize: number,
  bucketLengths: readonly number[],
  padTokenId: number,
): TrainBatch[] {
  const rowLength = (row: readonly number[]) => examples[row[0]].input_ids.length;
  return planBatches(
    ids.map((id) => [id]),
    rowLength,
    batchSize,
    bucketLengths,
  ).map((planned) => collate(planned, examples, { batchSize, padTokenId, packed: false }));
}
