import { join } from 'node:path';
import {
  AUGMENT_METHODS,
  type AugmentMethod,
  augmentRecords,
  hardExamples,
  sourceRecord,
  writeDataFile,
} from '@tunekit/data-tools';
import { EVAL_RESULTS_FILE, EVAL_SAMPLES_FILE, readEvalRun } from '@tunekit/trainer';
import { Command } from 'commander';
import { integerIn, listOf } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { commandLine, type DataFlags, dataContainer, readOptions } from './data-context.js';
import { dataOptions } from './data-options.js';
import { type FailureFlags, failureCriterion, failureOptions } from './failure-options.js';
import { modelOptions, type OptionalModelFlags, withOptionalGenerator } from './model-options.js';
import { checkOutputs } from './outputs.js';
import {
  type VariantFilterFlags,
  variantFilterOptions,
  variantFilters,
} from './variant-filter-options.js';

interface HardExamplesFlags
  extends DataFlags,
    OptionalModelFlags,
    FailureFlags,
    VariantFilterFlags {
  readonly out: string;
  readonly expand?: AugmentMethod[];
  readonly perRecord: number;
}

/** `tunekit data hard-examples`: the eval records a model failed, as training data. */
export function hardExamplesCommand(streams: CliStreams): Command {
  const command: Command = modelOptions(
    variantFilterOptions(
      failureOptions(
        dataOptions(
          new Command('hard-examples')
            .description(
              'The eval records a model failed in an eval run (tunekit eval --out), with their reference answers, as training records; optionally expanded by a model (paraphrases, counterfactual edits) under the same filters as augment.',
            )
            .argument('<eval-run>', 'the folder tunekit eval --out wrote')
            .requiredOption(
              '-o, --out <file>',
              'where the records go (messages JSONL with source_id and operation, a manifest beside it)',
            )
            .option(
              '--expand <list>',
              `also write variants of each, comma-separated, of ${AUGMENT_METHODS.join(', ')} (paraphrase and counterfactual need --model)`,
              listOf(AUGMENT_METHODS),
            )
            .option(
              '--per-record <n>',
              'variants asked of the model per record and method',
              integerIn(1),
              1,
            ),
        ),
      ),
    ),
    { withoutModel: 'no model-made variants' },
  ).action(async (dir: string, flags: HardExamplesFlags) => {
    const runFiles = [EVAL_RESULTS_FILE, EVAL_SAMPLES_FILE].map((file) => join(dir, file));
    await checkOutputs({ '--out': flags.out }, runFiles, flags);
    const container = await dataContainer(flags);
    const run = await readEvalRun(dir);
    const hard = await hardExamples(run, failureCriterion(flags), readOptions(container, flags));
    // the eval data is known once the run is read: it may not be the output either
    await checkOutputs({ '--out': flags.out }, hard.data.paths, flags);
    const expanded = flags.expand
      ? await withOptionalGenerator(flags, (generator) =>
          augmentRecords(hard.records, {
            methods: flags.expand ?? [],
            generator,
            perRecord: flags.perRecord,
            filters: variantFilters(flags),
            includeSources: false,
            seed: flags.randomSeed,
          }),
        )
      : undefined;
    const records = [
      ...hard.records.map((record) => sourceRecord(record, 'hard_example')),
      ...(expanded?.records ?? []),
    ];
    await writeDataFile(flags.out, records, {
      flag: '--out',
      overwrite: flags.overwrite,
      inputs: [hard.data, ...runFiles],
      format: 'messages',
      command: commandLine(command),
      details: {
        metric: flags.metric,
        ...(flags.metric === 'rougeL' ? { threshold: flags.threshold } : {}),
        samples: hard.samples,
        failed: hard.failed,
        ...(expanded ? { produced: expanded.produced, dropped: expanded.dropped } : {}),
      },
    });
    streams.stdout.write(
      `${flags.out}: ${hard.failed} of ${hard.samples} answers failed ${flags.metric}${expanded ? `, ${expanded.records.length} variants of them` : ''}\n`,
    );
  });
  return command;
}
