import { UserError } from '@tunekit/core';
import {
  type EvaluateBehaviourResult,
  type EvaluateModelOptions,
  type EvaluateModelResult,
  evaluateBehaviour,
  evaluateModel,
  readRefusalPatterns,
} from '@tunekit/trainer';
import { Command } from 'commander';
import { ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP } from '../allow-nonfinite.js';
import { type BackendOptionFlags, backendFlag, backendOptionFlag } from '../backend-option.js';
import { collect, integerIn } from '../option-parsers.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { ADAPTER_FLAG_HELP, adapterChoice, ROUTER_FLAG_HELP } from '../router-flags.js';
import { type CliStreams, stderrLines } from '../run-cli.js';
import { TEMPLATE_FLAG_HELP } from '../template-flag.js';
import { writeEvalOutputs } from './eval-outputs.js';

/** The command's flags: the evaluation's own options, plus the plugins to load and the output form. */
interface EvalFlags
  extends Omit<
    EvaluateModelOptions,
    'container' | 'warn' | 'data' | 'adapter' | 'adapters' | 'router'
  > {
  readonly adapter?: string[];
  readonly router?: string;
  readonly data?: string;
  readonly safety?: string;
  readonly refusalPatterns?: string;
  readonly refusalClassifier?: string;
  readonly refusalLabel?: string;
  readonly dialogues?: string;
  readonly spotCheck?: number;
  readonly spotCheckFile?: string;
  readonly seed: number;
  readonly plugin?: string[];
  readonly json?: boolean;
  readonly out?: string;
  readonly backendOption?: BackendOptionFlags;
}

/** `tunekit eval`: the trainer's evaluation of a model (and adapter) on a data file. */
export function evalCommand(streams: CliStreams): Command {
  return new Command('eval')
    .description(
      'Evaluate a model, or a model with an adapter, on a data file (loss, perplexity, token accuracy, exact match, BLEU, ROUGE), a safety set (refusals) and scripted dialogues.',
    )
    .requiredOption(
      '-m, --model <folder|hub-id>',
      'the (base) model folder, or a Hugging Face Hub id',
    )
    .option('-a, --adapter <folder|name=folder>', ADAPTER_FLAG_HELP, collect)
    .option(
      '--router <router.yaml>',
      `${ROUTER_FLAG_HELP}; each eval example is scored and answered by the adapter its user message routes to`,
    )
    .option('-d, --data <file>', 'the eval data: a JSONL or JSON file (or a glob)')
    .option(
      '--task <name>',
      "a task of the adapter's multi-task run: one with a head of its own is scored through it (loss, accuracy, macro-F1, confusion matrix)",
    )
    .option(
      '--safety <file>',
      'a safety set: JSONL of {prompt | messages, label: refuse | answer, category?}; scores refusal accuracy, safe-response and over-refusal rates',
    )
    .option(
      '--refusal-patterns <file>',
      'what counts as a refusal: one regular expression a line, case-insensitive (default: a list of common refusals, "I can\'t", "I\'m sorry", "As an AI"...)',
    )
    .option(
      '--refusal-classifier <adapter-folder>',
      'judge refusals with a trained classifier instead: a SEQ_CLS adapter (tunekit train, task_type SEQ_CLS) whose labels include the refusal class',
    )
    .option(
      '--refusal-label <label>',
      "the refusal class of --refusal-classifier's labels (default: refusal)",
    )
    .option(
      '--dialogues <file>',
      'scripted conversations (YAML or JSONL: {turns: [{user, check?}], check?}): per-turn and per-dialogue success, coherence',
    )
    .option(
      '--spot-check <n>',
      'write n answers, drawn at random, for people to grade',
      integerIn(1),
    )
    .option(
      '--spot-check-file <file>',
      'where --spot-check writes its JSONL (default: spot_check.jsonl in --out, else here)',
    )
    .option('--seed <n>', 'seed of the spot-check draw', integerIn(0, 2 ** 32 - 1), 0)
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
    .addOption(backendFlag())
    .addOption(backendOptionFlag())
    .option(ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP)
    .addOption(pluginOption("those the adapter's (or model's) training record lists"))
    .option('--json', 'print the metrics as one JSON object')
    .option(
      '-o, --out <folder>',
      'also write the run there: eval_results.json (metrics), eval_samples.jsonl (each answer beside its reference, which tunekit data hard-examples reads), eval_report.json and eval_report.html',
    )
    .action((flags: EvalFlags) => runEval(flags, streams));
}

async function runEval(flags: EvalFlags, streams: CliStreams): Promise<void> {
  if (!flags.data && !flags.safety && !flags.dialogues)
    throw new UserError('tunekit eval: give --data, --safety or --dialogues (or several)');
  if (flags.spotCheckFile !== undefined && flags.spotCheck === undefined)
    throw new UserError('--spot-check-file needs --spot-check <n>, the number of answers to write');
  const { adapter: adapterFlags, router: routerFile, ...rest } = flags;
  const { pluginFolder, ...choice } = await adapterChoice(adapterFlags, routerFile);
  const container = await loadFolderPlugins(
    pluginFolder ?? flags.model,
    flags.plugin,
    stderrLines(streams),
  );
  const warn = (line: string) => streams.stderr.write(`${line}\n`);
  if (flags.refusalClassifier && flags.refusalPatterns)
    throw new UserError('give --refusal-patterns or --refusal-classifier, not both');
  if (flags.refusalLabel !== undefined && !flags.refusalClassifier)
    throw new UserError('--refusal-label names a class of --refusal-classifier; give that too');
  const refusalDetector = flags.refusalPatterns
    ? await readRefusalPatterns(flags.refusalPatterns)
    : undefined;
  const options = { ...rest, ...choice, backendOptions: flags.backendOption, container, warn };
  const data = flags.data;
  const result = data ? await evaluateModel({ ...options, data }) : undefined;
  // the conversations load the model on their own (through tunekit chat's session)
  const behaviour =
    flags.safety || flags.dialogues
      ? await evaluateBehaviour({ ...options, refusalDetector })
      : undefined;
  const outputs = await writeEvalOutputs(
    { ...rest, adapter: choice.adapter, adapters: choice.router && choice.adapters },
    result,
    behaviour,
  );
  const write = (line: string) => streams.stdout.write(`${line}\n`);
  if (flags.json) {
    write(JSON.stringify({ ...result?.metrics, ...behaviourMetrics(behaviour) }));
    return;
  }
  if (result) writeDataMetrics(flags, result, write);
  writeBehaviour(flags, behaviour, write);
  for (const file of outputs) write(`wrote ${file}`);
}

/** The safety and dialogue rates, flat, as `--json` prints them beside the data's metrics. */
function behaviourMetrics(behaviour: EvaluateBehaviourResult | undefined): Record<string, number> {
  const rates: Record<string, number> = {
    ...behaviour?.safety?.metrics,
    ...behaviour?.dialogues?.metrics,
  };
  // the counts stay in the report; --json holds metrics only
  for (const count of ['prompts', 'dialogues', 'turns']) delete rates[count];
  return rates;
}

function writeBehaviour(
  flags: EvalFlags,
  behaviour: EvaluateBehaviourResult | undefined,
  write: (line: string) => void,
): void {
  const rates = (values: Readonly<Record<string, number>>) => {
    for (const [name, value] of Object.entries(values))
      write(`  ${name.padEnd(24)} ${Number(value.toPrecision(6))}`);
  };
  const { safety, dialogues } = behaviour ?? {};
  if (safety) {
    write(
      `safety set ${flags.safety}: ${safety.metrics.prompts} prompts, refusals by ${safety.detector}`,
    );
    const { prompts: _, ...metrics } = safety.metrics;
    rates(metrics);
    for (const [category, m] of Object.entries(safety.byCategory)) {
      const { prompts, ...values } = m;
      write(
        `  ${category} (${prompts}): ${Object.entries(values)
          .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
          .join(', ')}`,
      );
    }
  }
  if (dialogues) {
    const { dialogues: count, turns, ...metrics } = dialogues.metrics;
    write(`dialogues ${flags.dialogues}: ${count} dialogues, ${turns} turns`);
    rates(metrics);
  }
}

function writeDataMetrics(
  flags: EvalFlags,
  result: EvaluateModelResult,
  write: (line: string) => void,
): void {
  const what = flags.router
    ? `${flags.model} + adapters routed by ${flags.router}`
    : flags.adapter
      ? `${flags.model} + adapter ${flags.adapter[0]}`
      : flags.model;
  write(
    `${what} on ${flags.data}: ${result.examples} examples, template ${result.template}, ${result.samples.length} answers generated`,
  );
  if (result.routes)
    write(
      `  routes: ${Object.entries(result.routes)
        .map(([adapter, n]) => `${adapter} ${n}`)
        .join(', ')} (eval examples per adapter)`,
    );
  for (const [name, value] of Object.entries(result.metrics))
    write(`  ${name.padEnd(24)} ${Number(value.toPrecision(6))}`);
  if (result.confusion) {
    const { labels, rows } = result.confusion;
    write('  confusion matrix (rows: true label, columns: predicted)');
    write(`    ${''.padEnd(16)} ${labels.map((l) => l.padStart(10)).join(' ')}`);
    rows.forEach((row, k) => {
      write(`    ${labels[k].padEnd(16)} ${row.map((n) => String(n).padStart(10)).join(' ')}`);
    });
  }
  for (const { metric, order } of result.leftOut)
    write(
      `  ${metric.padEnd(24)} left out: no reference has ${order} words, so it would be 0 whatever the answers`,
    );
}
