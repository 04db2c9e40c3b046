import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCausalLM, parseOrThrow, resolveBackend, Tokenizer, UserError } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { z } from 'zod';
import {
  fitRouterHead,
  PooledHiddenStates,
  ROUTER_HEAD_CONFIG_FILE,
  ROUTER_HEAD_WEIGHTS_FILE,
  RouterHead,
  readRouterExamples,
} from '../router/index.js';
import { backendOptionsField, refineBackendNamed } from './backend-section.js';
import { resolveModelFolder } from './model-folder.js';

const files = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/**
 * A `tunekit train` config with `task: router`: the router's learned classifier, a linear head on
 * the base model's mean-pooled final hidden state, trained from labelled requests (the labels are
 * adapter names, or `none`). The base model is only read.
 */
export const routerTrainConfigSchema = z
  .strictObject({
    task: z.literal('router'),
    model: z
      .string()
      .min(1)
      .describe('the base model the router reads (folder relative to this file, or Hub id)'),
    backend: z.string().min(1).optional().describe('the backend by id; default the best available'),
    backend_options: backendOptionsField,
    train: files.describe('labelled requests: JSONL/JSON of {text, label} or {messages, label}'),
    eval: files.optional().describe('held-out labelled requests: accuracy is reported'),
    output_dir: z.string().min(1).describe('where router_head.json and router_head.safetensors go'),
    max_steps: z.number().int().positive().default(300).describe('full-batch AdamW steps'),
    learning_rate: z.number().positive().default(0.05),
    weight_decay: z.number().min(0).default(0.01),
  })
  // the backend's schema checks its options when the backend is made (trainRouterFromConfig)
  .superRefine(refineBackendNamed);

export type RouterTrainConfig = z.output<typeof routerTrainConfigSchema>;

/** A `task: router` config validated at the edge. */
export function parseRouterTrainConfig(
  raw: unknown,
  source = 'router train config',
): RouterTrainConfig {
  return parseOrThrow(routerTrainConfigSchema, raw, source);
}

/** What `trainRouterFromConfig` made. */
export interface TrainRouterResult {
  readonly outputDir: string;
  readonly files: readonly string[];
  readonly labels: readonly string[];
  /** Mean cross-entropy on the training examples after the last step. */
  readonly trainLoss: number;
  /** Share of the eval examples routed to their label, with `eval:`. */
  readonly evalAccuracy?: number;
}

/**
 * Trains the router's classifier as `config` says: reads the labelled requests, runs them through
 * the base model once (mean-pooled final hidden states), fits the head on the host and saves it
 * into output_dir for router.yaml's `classifier: { path }`.
 *
 * @example
 * const config = parseRouterTrainConfig({ task: 'router', model: 'models/tiny', train: 'routes.jsonl', output_dir: 'runs/router' });
 * const { evalAccuracy } = await trainRouterFromConfig(config, { container, configDir: '.' });
 */
export async function trainRouterFromConfig(
  config: RouterTrainConfig,
  options: {
    readonly container: DependencyContainer;
    readonly configDir: string;
    readonly configFile?: string;
    readonly print?: (line: string) => void;
  },
): Promise<TrainRouterResult> {
  const print = options.print ?? (() => {});
  const folder = await resolveModelFolder(config.model, options.configDir, options.configFile);
  const list = (f: string | string[]) => [f].flat();
  const train = await readRouterExamples(list(config.train), options.configDir);
  const evalSet =
    config.eval === undefined
      ? undefined
      : await readRouterExamples(list(config.eval), options.configDir);
  const labels = [...new Set(train.map((e) => e.label))].sort();
  if (labels.length < 2)
    throw new UserError(
      `${list(config.train).join(', ')}: a router needs examples of at least two labels, found ${labels.join(', ')}`,
    );
  const unknown = evalSet?.find((e) => !labels.includes(e.label));
  if (unknown)
    throw new UserError(
      `eval: label '${unknown.label}' has no training examples (labels: ${labels.join(', ')})`,
    );

  const { model } = await loadCausalLM(folder, { families: options.container });
  const tokenizer = await Tokenizer.fromFolder(folder);
  const backend = await resolveBackend(options.container, config.backend, {
    backendOptions: config.backend_options,
  });
  const states = new PooledHiddenStates(model, backend);
  try {
    const pool = (texts: readonly string[]) => states.pool(texts.map((t) => tokenizer.encode(t)));
    const x = await pool(train.map((e) => e.text));
    print(
      `router: ${train.length} examples of ${labels.join(', ')}; pooled hidden states of ${folder}`,
    );
    const { weights, loss } = fitRouterHead(
      x,
      train.map((e) => labels.indexOf(e.label)),
      labels.length,
      {
        steps: config.max_steps,
        learningRate: config.learning_rate,
        weightDecay: config.weight_decay,
      },
    );
    const head = new RouterHead(
      { labels, hidden_size: x[0].length, pooling: 'mean', base_model: config.model },
      weights,
    );
    print(`router: train loss ${loss.toFixed(4)} after ${config.max_steps} steps`);
    let evalAccuracy: number | undefined;
    if (evalSet) {
      const pooled = await pool(evalSet.map((e) => e.text));
      const right = evalSet.filter((e, i) => {
        const p = head.probabilities(pooled[i]);
        return labels[p.indexOf(Math.max(...p))] === e.label;
      }).length;
      evalAccuracy = right / evalSet.length;
      print(
        `router: eval accuracy ${right}/${evalSet.length} (${(100 * evalAccuracy).toFixed(1)}%)`,
      );
    }
    const outputDir = resolve(config.output_dir);
    await mkdir(outputDir, { recursive: true });
    await head.save(outputDir);
    print(`router head: ${outputDir} (${ROUTER_HEAD_CONFIG_FILE}, ${ROUTER_HEAD_WEIGHTS_FILE})`);
    return {
      outputDir,
      files: [ROUTER_HEAD_CONFIG_FILE, ROUTER_HEAD_WEIGHTS_FILE],
      labels,
      trainLoss: loss,
      evalAccuracy,
    };
  } finally {
    states.dispose();
    await backend.dispose();
  }
}
