import type { DatasetFormat } from '@tunekit/core';
import { UserError } from '@tunekit/core';
import type { EvalRun } from '@tunekit/trainer';
import { type DataRecord, type DataSet, readDataSet } from '../records/index.js';
import { type FailureCriterion, sampleScore } from './sample-failure.js';

export interface HardExamplesResult {
  /** The eval records the model failed, in the run's order. */
  readonly records: readonly DataRecord[];
  /** The eval data they come from (for the manifest). */
  readonly data: DataSet;
  /** Answers in the run, and how many failed. */
  readonly samples: number;
  readonly failed: number;
}

/**
 * The eval records whose answer in `run` failed `criterion`, read from the run's eval data (as
 * `tunekit eval` read it), so they are written with their reference answers: what the model should
 * have said. A record the run names that the data no longer holds, or holds with another answer,
 * is an error: the data changed after the run.
 */
export async function hardExamples(
  run: EvalRun,
  criterion: FailureCriterion,
  opts: { readonly formats?: readonly DatasetFormat[] } = {},
): Promise<HardExamplesResult> {
  const data = await readDataSet(run.results.data, {
    baseDir: run.results.base_dir,
    formats: opts.formats,
  });
  const byWhere = new Map(data.records.map((record) => [record.where, record]));
  const failed = run.samples.filter((sample) => sampleScore(sample, criterion).failed);
  const records = failed.map((sample) => {
    const record = byWhere.get(sample.where);
    if (record === undefined || record.conversation.response.trim() !== sample.reference.trim())
      throw new UserError(
        `${run.dir}: the eval run answered ${sample.where}, which ${record === undefined ? 'the data no longer holds' : 'now has another answer'}; the eval data changed after the run, so evaluate again`,
      );
    return record;
  });
  return { records, data, samples: run.samples.length, failed: failed.length };
}
