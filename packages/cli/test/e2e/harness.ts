import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainingRecord } from '@tunekit/trainer';
import { afterAll, expect } from 'vitest';
import { readJson } from './read-json.js';
import { runTunekit, type TunekitRun } from './run-tunekit.js';

// The CLI end-to-end tests' shared set-up: a work folder per file, `tunekit` runs that must
// succeed, a training run with what it recorded, and JSON Lines in and out.
export { readJson } from './read-json.js';
export { bundledModel, examplesDir, tinyRun } from './repo-paths.js';
export { builtCli, runTunekit, type TunekitRun, tunekitBin } from './run-tunekit.js';

type RunOptions = Parameters<typeof runTunekit>[1];

/** A new temporary folder for one test file, removed after its tests; call it at the top level. */
export async function workDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `tunekit-cli-${name}-`));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The note a command that runs a trained model writes on stderr: which backend runs, and why. */
const BACKEND_NOTE = /^note: backend \S+, [^\n]*\n/gm;

/** `stderr` less the backend notes (`BACKEND_NOTE`). */
const withoutBackendNote = (stderr: string): string => stderr.replace(BACKEND_NOTE, '');

/**
 * `tunekit <args>`, which must exit 0 and, unless `quiet` is false, write nothing to stderr but
 * the backend's note (the rest shown in the failure when it does).
 */
export async function tunekitOk(
  args: readonly string[],
  opts: RunOptions & { quiet?: boolean } = {},
): Promise<TunekitRun> {
  const run = await runTunekit(args, opts);
  if (opts.quiet !== false) expect(withoutBackendNote(run.stderr)).toBe('');
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** `tunekit <args> --json`, which must succeed quietly; its stdout parsed. */
export async function tunekitJson<T = Record<string, number>>(
  args: readonly string[],
  opts: RunOptions = {},
): Promise<T> {
  return JSON.parse((await tunekitOk([...args, '--json'], opts)).stdout) as T;
}

export type Metrics = Readonly<Record<string, number>>;

/** A finished `tunekit train` and what it recorded in its output_dir. */
export interface Trained {
  readonly out: string;
  readonly run: TunekitRun;
  readonly record: TrainingRecord;
  /** The evaluations before the first step and after the last (eval_ keys). */
  readonly before: Metrics;
  readonly after: Metrics;
}

/**
 * `tunekit train <config>` into `out` with `--set` assignments, which must succeed quietly (or, with
 * `quiet: false`, just succeed); then its training record.
 */
export async function train(
  config: string,
  out: string,
  set: readonly string[] = [],
  opts: RunOptions & { quiet?: boolean } = {},
): Promise<Trained> {
  const assignments = [`output_dir=${out}`, ...set].flatMap((s) => ['--set', s]);
  const run = await tunekitOk(['train', config, ...assignments], opts);
  const record = await readJson<TrainingRecord>(join(out, 'training_record.json'));
  const { before = {}, after = {} } = record.metrics;
  return { out, run, record, before, after };
}

/** Records as JSON Lines, one a line, each ended by a newline. */
export const jsonl = (records: readonly unknown[]): string =>
  records.map((r) => `${JSON.stringify(r)}\n`).join('');

/** A JSON Lines file the test made the CLI write, one parsed record a line. */
// biome-ignore lint/suspicious/noExplicitAny: records of many shapes, read field by field in tests
export async function readJsonl<T = any>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as T);
}
