import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EVAL_RESULTS_FILE,
  EVAL_SAMPLES_FILE,
  type EvalReport,
  type EvaluateBehaviourResult,
  type EvaluateModelResult,
  sampleSpotChecks,
  spotCheckRecords,
  writeEvalReport,
  writeEvalRun,
  writeSpotChecks,
} from '@tunekit/trainer';

/** The flags of `tunekit eval` that decide what it writes. */
export interface EvalOutputFlags {
  readonly model: string;
  readonly adapter?: string;
  /** With --router: the adapters it chose between, by name. */
  readonly adapters?: Readonly<Record<string, string>>;
  readonly data?: string;
  readonly safety?: string;
  readonly dialogues?: string;
  readonly spotCheck?: number;
  readonly spotCheckFile?: string;
  readonly seed: number;
  readonly out?: string;
}

/**
 * Writes what the flags ask for: the spot-check file (`--spot-check n` answers drawn from all that
 * were generated) and, in `--out dir`, the eval run (its metrics and answers, which `tunekit data
 * hard-examples` reads) and the report; returns the paths written.
 */
export async function writeEvalOutputs(
  flags: EvalOutputFlags,
  result: EvaluateModelResult | undefined,
  behaviour: EvaluateBehaviourResult | undefined,
): Promise<string[]> {
  if (flags.out !== undefined) await mkdir(flags.out, { recursive: true });
  const written: string[] = [];
  let spotCheck: EvalReport['spot_check'];
  if (flags.spotCheck !== undefined) {
    const all = spotCheckRecords({ samples: result?.samples, ...behaviour });
    const drawn = sampleSpotChecks(all, flags.spotCheck, flags.seed);
    const file = flags.spotCheckFile ?? join(flags.out ?? '.', 'spot_check.jsonl');
    await writeSpotChecks(file, drawn);
    written.push(file);
    spotCheck = { file, records: drawn.length };
  }
  if (flags.out === undefined) return written;
  if (result && flags.data) {
    await writeEvalRun(
      flags.out,
      {
        created_at: new Date().toISOString(),
        model: flags.model,
        adapter: flags.adapter,
        ...(flags.adapters && { adapters: { ...flags.adapters } }),
        ...(result.routes && { routes: { ...result.routes } }),
        data: flags.data,
        base_dir: process.cwd(),
        template: result.template,
        examples: result.examples,
        metrics: result.metrics,
      },
      result.samples,
    );
    written.push(join(flags.out, EVAL_RESULTS_FILE), join(flags.out, EVAL_SAMPLES_FILE));
  }
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
  written.push(...(await writeEvalReport(flags.out, report)));
  return written;
}
