import { type EvaluateModelOptions, evaluateModel, writeEvalRun } from '@tunekit/trainer';
import { Command } from 'commander';
import { ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP } from '../allow-nonfinite.js';
import { integerIn } from '../option-parsers.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { type CliStreams, stderrLines } from '../run-cli.js';
import { TEMPLATE_FLAG_HELP } from '../template-flag.js';

/** The command's flags: the evaluation's own options, plus the plugins to load and the output form. */
interface EvalFlags extends Omit<EvaluateModelOptions, 'container' | 'warn'> {
  readonly plugin?: string[];
  readonly json?: boolean;
  readonly out?: string;
}

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
    .option(
      '-o, --out <folder>',
      'also write the run there: eval_results.json (metrics) and eval_samples.jsonl (each answer beside its reference), which tunekit data hard-examples reads',
    )
    .action((flags: EvalFlags) => runEval(flags, streams));
}

async function runEval(flags: EvalFlags, streams: CliStreams): Promise<void> {
  const result = await evaluateModel({
    ...flags,
    container: await loadFolderPlugins(
      flags.adapter ?? flags.model,
      flags.plugin,
      stderrLines(streams),
    ),
    warn: (line) => streams.stderr.write(`${line}\n`),
  });
  if (flags.out !== undefined)
    await writeEvalRun(
      flags.out,
      {
        created_at: new Date().toISOString(),
        model: flags.model,
        adapter: flags.adapter,
        data: flags.data,
        base_dir: process.cwd(),
        template: result.template,
        examples: result.examples,
        metrics: result.metrics,
      },
      result.samples,
    );
  const write = (line: string) => streams.stdout.write(`${line}\n`);
  if (flags.json) {
    write(JSON.stringify(result.metrics));
    return;
  }
  const what = flags.adapter ? `${flags.model} + adapter ${flags.adapter}` : flags.model;
  write(
    `${what} on ${flags.data}: ${result.examples} examples, template ${result.template}, ${result.samples.length} answers generated`,
  );
  for (const [name, value] of Object.entries(result.metrics))
    write(`  ${name.padEnd(24)} ${Number(value.toPrecision(6))}`);
  for (const { metric, order } of result.leftOut)
    write(
      `  ${metric.padEnd(24)} left out: no reference has ${order} words, so it would be 0 whatever the answers`,
    );
}
