import { parseOrThrow, resolveAllOf, resolveBackend, TOKENS } from '@tunekit/core';
import { evaluate, inapplicableMetrics, loadSftData, sftDataConfigSchema } from '@tunekit/trainer';
import { Command } from 'commander';
import {
  ALLOW_NONFINITE_FLAG,
  ALLOW_NONFINITE_HELP,
  nonFiniteOptions,
} from '../allow-nonfinite.js';
import { generationSchema } from '../config/train-config.js';
import { describeCutAnswers, evalGeneration } from '../eval-generation.js';
import { loadInferenceModel, TEMPLATE_FLAG_HELP, templateSetting } from '../inference-model.js';
import { integerIn } from '../option-parsers.js';
import { flagPlugins, loadPlugins, pluginOption, recordPlugins } from '../plugins/index.js';
import type { CliStreams } from '../run-cli.js';

interface EvalFlags {
  readonly model: string;
  readonly adapter?: string;
  readonly data: string;
  readonly template?: string;
  readonly numSamples?: number;
  readonly maxNewTokens?: number;
  readonly backend?: string;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
  readonly json?: boolean;
}

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

/** `tunekit eval`: the trainer's evaluation of a model (and adapter) on a data file. */
export function evalCommand(streams: CliStreams): Command {
  return new Command('eval')
    .description(
      'Evaluate a model, or a model with an adapter, on a data file: loss, perplexity, token accuracy, exact match, BLEU, ROUGE.',
    )
    .requiredOption(
      '-m, --model <folder|hub-id>',
      'the (base) model folder, or a Hugging Face Hub id',
    )
    .option(
      '-a, --adapter <folder>',
      'a PEFT adapter folder to apply, e.g. what tunekit train wrote',
    )
    .requiredOption('-d, --data <file>', 'the eval data: a JSONL or JSON file (or a glob)')
    .option('--template <id|file>', TEMPLATE_FLAG_HELP)
    .option(
      '--num-samples <n>',
      'eval prompts answered for exact match, BLEU and ROUGE (default: as in training, else 16)',
      integerIn(0),
    )
    .option(
      '--max-new-tokens <n>',
      "most tokens per answer (default: as in training, else 64); less where a prompt leaves fewer of the model's positions",
      integerIn(1),
    )
    .option('--backend <id>', 'backend to run on (default: the best available one)')
    .option(ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP)
    .addOption(pluginOption("those the adapter's (or model's) training record lists"))
    .option('--json', 'print the metrics as one JSON object')
    .action((flags: EvalFlags) => runEval(flags, streams));
}

async function runEval(flags: EvalFlags, streams: CliStreams): Promise<void> {
  const container = await loadPlugins([
    await recordPlugins(flags.adapter ?? flags.model),
    flagPlugins(flags.plugin),
  ]);
  const loaded = await loadInferenceModel(container, flags, nonFiniteOptions(flags, streams));
  const { model, tokenizer, record } = loaded;
  // loadSftData reads the template as a YAML's template: does (an id, or a file from here)
  const template = templateSetting(loaded, flags.template);
  // an adapter's record says how its eval data was tokenised and answered; the same settings
  // give the same scores
  const trained: Readonly<Record<string, unknown>> = record?.config ?? {};
  const settings = Object.fromEntries(
    TOKENISATION_KEYS.filter((key) => trained[key] !== undefined).map((key) => [key, trained[key]]),
  );
  const dataConfig = parseOrThrow(
    sftDataConfigSchema,
    { ...settings, train: flags.data, eval: flags.data, template },
    'eval data settings',
  );
  const data = await loadSftData(dataConfig, {
    container,
    tokenizer,
    tokenizerDir: loaded.tokenizerDir,
  });
  const generation = parseOrThrow(
    generationSchema,
    {
      ...(record?.config.generation as object | undefined),
      ...(flags.numSamples !== undefined ? { num_samples: flags.numSamples } : {}),
      ...(flags.maxNewTokens !== undefined ? { max_new_tokens: flags.maxNewTokens } : {}),
    },
    'generation settings',
  );
  const backend = await resolveBackend(container, flags.backend);
  try {
    const result = await evaluate({
      model,
      backend,
      tokenizer,
      batches: data.eval ?? [],
      prompts: data.evalPrompts,
      generation: evalGeneration(
        generation,
        dataConfig.per_device_eval_batch_size,
        loaded.generationConfig,
      ),
      metrics: resolveAllOf(container, TOKENS.Metric),
    });
    const cut = describeCutAnswers(
      result.samples,
      generation.max_new_tokens,
      model.shape.maxPositions,
    );
    if (cut !== undefined) streams.stderr.write(`${cut}\n`);
    if (flags.json) {
      streams.stdout.write(`${JSON.stringify(result.metrics)}\n`);
      return;
    }
    const what = flags.adapter ? `${flags.model} + adapter ${flags.adapter}` : flags.model;
    streams.stdout.write(
      `${what} on ${flags.data}: ${data.stats.evalExamples} examples, template ${template}, ${result.samples.length} answers generated\n`,
    );
    for (const [name, value] of Object.entries(result.metrics))
      streams.stdout.write(`  ${name.padEnd(24)} ${Number(value.toPrecision(6))}\n`);
    if (result.samples.length > 0) {
      const references = result.samples.map((s) => s.reference);
      const leftOut = inapplicableMetrics(references).filter((m) => !(m.metric in result.metrics));
      for (const { metric, order } of leftOut)
        streams.stdout.write(
          `  ${metric.padEnd(24)} left out: no reference has ${order} words, so it would be 0 whatever the answers\n`,
        );
    }
  } finally {
    await backend.dispose();
  }
}
