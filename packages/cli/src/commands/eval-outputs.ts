import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type EvalReport,
  type EvaluateBehaviourResult,
  type EvaluateModelResult,
  sampleSpotChecks,
  spotCheckRecords,
  writeEvalReport,
  writeSpotChecks,
} from '@tunekit/trainer';

/** The flags of `tunekit eval` that decide what it writes. */
export interface EvalOutputFlags {
  readonly model: string;
  readonly adapter?: string;
  readonly data?: string;
  readonly safety?: string;
  readonly dialogues?: string;
  readonly spotCheck?: number;
  readonly spotCheckFile?: string;
  readonly seed: number;
  readonly report?: string;
}

/**
 * Writes what the flags ask for: the spot-check file (`--spot-check n` answers drawn from all that
 * were generated) and the report (`--report dir`); returns the paths written.
 */
export async function writeEvalOutputs(
  flags: EvalOutputFlags,
  result: EvaluateModelResult | undefined,
  behaviour: EvaluateBehaviourResult | undefined,
): Promise<string[]> {
  if (flags.report !== undefined) await mkdir(flags.report, { recursive: true });
  const written: string[] = [];
  let spotCheck: EvalReport['spot_check'];
  if (flags.spotCheck !== undefined) {
    const all = spotCheckRecords({ samples: result?.samples, ...behaviour });
    const drawn = sampleSpotChecks(all, flags.spotCheck, flags.seed);
    const file = flags.spotCheckFile ?? join(flags.report ?? '.', 'spot_check.jsonl');
    await writeSpotChecks(file, drawn);
    written.push(file);
    spotCheck = { file, records: drawn.length };
  }
  if (flags.report !== undefined) {
    const report: EvalReport = {
      model: flags.model,
      ...(flags.adapter !== undefined ? { adapter: flags.adapter } : {}),
      template: result?.template ?? behaviour?.template ?? '',
      ...(result && flags.data ? { data: { file: flags.data, metrics: result.metrics } } : {}),
      ...(behaviour?.safety && flags.safety
        ? { safety: { file: flags.safety, ...behaviour.safety } }
        : {}),
      ...(behaviour?.dialogues && flags.dialogues
        ? { dialogues: { file: flags.dialogues, ...behaviour.dialogues } }
        : {}),
      ...(spotCheck ? { spot_check: spotCheck } : {}),
    };
    written.push(...(await writeEvalReport(flags.report, report)));
  }
  return written;
}
