import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, parseOrThrow, UserError } from '@tunekit/core';
import { z } from 'zod';
import type { GeneratedSample } from '../eval/index.js';

/** The metrics and settings of an evaluation (HF Trainer's file name). */
export const EVAL_RESULTS_FILE = 'eval_results.json';
/** One line per answered eval prompt: where its record is, the reference and the prediction. */
export const EVAL_SAMPLES_FILE = 'eval_samples.jsonl';

const evalResultsSchema = z.object({
  created_at: z.string(),
  model: z.string(),
  adapter: z.string().optional(),
  /** With a router: the adapters by name, and how many eval examples it sent to each (or `none`). */
  adapters: z.record(z.string(), z.string()).optional(),
  routes: z.record(z.string(), z.number()).optional(),
  /** The eval data as given (a file or a glob), relative to `base_dir`. */
  data: z.string(),
  base_dir: z.string(),
  template: z.string(),
  examples: z.number(),
  metrics: z.record(z.string(), z.number()),
});

const evalRunSampleSchema = z.object({
  /** The eval record, `file:line` (the file as `data` named it). */
  where: z.string(),
  prompt: z.string(),
  reference: z.string(),
  prediction: z.string(),
  finish_reason: z.string(),
});

export type EvalResults = z.infer<typeof evalResultsSchema>;
export type EvalRunSample = z.infer<typeof evalRunSampleSchema>;

/** An evaluation written to a folder (`tunekit eval --out`), for people and for data tools. */
export interface EvalRun {
  readonly dir: string;
  readonly results: EvalResults;
  readonly samples: readonly EvalRunSample[];
}

/** Writes `eval_results.json` and `eval_samples.jsonl` into `dir` (each atomically). */
export async function writeEvalRun(
  dir: string,
  results: EvalResults,
  samples: readonly GeneratedSample[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await atomicWrite(join(dir, EVAL_RESULTS_FILE), `${JSON.stringify(results, null, 2)}\n`);
  const lines = samples.map((s) =>
    JSON.stringify({
      where: s.where,
      prompt: s.prompt,
      reference: s.reference,
      prediction: s.prediction,
      finish_reason: s.finishReason,
    } satisfies EvalRunSample),
  );
  await atomicWrite(join(dir, EVAL_SAMPLES_FILE), lines.map((line) => `${line}\n`).join(''));
}

/** Reads what `writeEvalRun` wrote; a missing file or a bad line is a UserError naming it. */
export async function readEvalRun(dir: string): Promise<EvalRun> {
  const read = (name: string) =>
    readFile(join(dir, name), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UserError(
        `${join(dir, name)}: cannot read it (${error.code ?? error.message}); an eval run is a folder that tunekit eval --out wrote`,
      );
    });
  const resultsFile = join(dir, EVAL_RESULTS_FILE);
  const results = parseOrThrow(
    evalResultsSchema,
    parseJson(await read(EVAL_RESULTS_FILE), resultsFile),
    resultsFile,
  );
  const samples = (await read(EVAL_SAMPLES_FILE)).split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    const where = `${join(dir, EVAL_SAMPLES_FILE)}:${i + 1}`;
    return [parseOrThrow(evalRunSampleSchema, parseJson(line, where), where)];
  });
  return { dir, results, samples };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError(`${where}: not JSON`);
  }
}
