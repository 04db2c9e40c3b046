import { FAILURE_METRICS, type FailureCriterion, type FailureMetric } from '@tunekit/data-tools';
import { type Command, Option } from 'commander';
import { numberIn } from '../option-parsers.js';

/** The flags that say which answers of an eval run failed. */
export interface FailureFlags {
  readonly metric: FailureMetric;
  readonly threshold: number;
}

/** --metric and --threshold: an answer fails exact match, or scores a ROUGE-L below the threshold. */
export function failureOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--metric <name>',
        'what makes an answer fail: not an exact match, or a low ROUGE-L',
      )
        .choices(FAILURE_METRICS)
        .default('exact_match'),
    )
    .option(
      '--threshold <f>',
      'with --metric rougeL: an answer whose ROUGE-L F-measure is below this failed',
      numberIn(0, 1),
      0.5,
    );
}

export function failureCriterion(flags: FailureFlags): FailureCriterion {
  return { metric: flags.metric, threshold: flags.threshold };
}
