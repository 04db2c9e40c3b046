import { readRefusalPolicy, refusalData, writeDataFile } from '@tunekit/data-tools';
import { Command } from 'commander';
import { integerIn, numberIn } from '../option-parsers.js';
import { pluginOption } from '../plugins/index.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags } from './data-context.js';
import { modelOptions, type OptionalModelFlags, withOptionalGenerator } from './model-options.js';
import { checkOutputs } from './outputs.js';

interface RefusalsFlags extends DataFlags, OptionalModelFlags {
  readonly policy: string;
  readonly out: string;
  readonly perCategory: number;
  readonly rougeL: number;
}

/** `tunekit data refusals`: should-refuse and should-answer records from a refusal policy. */
export function refusalsCommand(streams: CliStreams): Command {
  const command: Command = modelOptions(
    new Command('refusals')
      .description(
        "Should-refuse and should-answer records from a policy (categories with examples, keywords and a refusal style; near misses that must be answered): refusals in the policy's wording, requests from templates and, with --model, from the model, which also answers the near misses. Each record has messages, label (refuse or answer) and category.",
      )
      .requiredOption(
        '--policy <file>',
        'the refusal policy (YAML: styles, request_templates, categories with name, description, keywords, examples, style, warning, redirect, near_misses)',
      )
      .requiredOption(
        '-o, --out <file>',
        'where the records go (messages JSONL with label and category, a manifest beside it)',
      )
      .option(
        '--per-category <n>',
        'requests made per category, label and origin (templates, the model)',
        integerIn(0),
        8,
      )
      .option(
        '--rouge-l <f>',
        "drop a model's request whose ROUGE-L with one kept is above this",
        numberIn(0, 1),
        0.7,
      )
      .option('--overwrite', 'replace the output file if it exists')
      .addOption(pluginOption("tunekit's own packages")),
    { withoutModel: 'requests from the policy and its templates only' },
  ).action(async (flags: RefusalsFlags) => {
    await checkOutputs({ '--out': flags.out }, [flags.policy], flags);
    const policy = await readRefusalPolicy(flags.policy);
    const result = await withOptionalGenerator(flags, (generator) =>
      refusalData(policy, {
        generator,
        perCategory: flags.perCategory,
        rougeL: flags.rougeL,
        seed: flags.randomSeed,
      }),
    );
    const count = (label: string) => result.records.filter((r) => r.label === label).length;
    await writeDataFile(flags.out, result.records, {
      flag: '--out',
      overwrite: flags.overwrite,
      inputs: [flags.policy],
      format: 'messages',
      command: commandLine(command),
      details: {
        ...(flags.model ? { model: flags.model } : {}),
        refuse: count('refuse'),
        answer: count('answer'),
        dropped: result.dropped,
      },
    });
    streams.stdout.write(
      `${flags.out}: ${count('refuse')} should-refuse and ${count('answer')} should-answer records in ${policy.categories.length} categories\n`,
    );
  });
  return command;
}
