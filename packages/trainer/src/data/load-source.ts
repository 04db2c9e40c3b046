import { createHash } from 'node:crypto';
import { type DatasetFormat, resolveAllOf, resolveById, TOKENS, UserError } from '@tunekit/core';
import type { DependencyContainer } from 'tsyringe';
import { describeFields, detectFormat } from './detect-format.js';
import { readSources } from './load-splits.js';
import { type DataFile, expandPaths, readRecords } from './read/index.js';
import type { SftDataConfig } from './sft-data-config.js';

/** A record as its format parsed it, with `file:line` to name it. */
export interface ParsedRecord {
  readonly where: string;
  readonly record: unknown;
  /** The record as the file holds it, before its format parsed it (with `keepRaw`). */
  readonly raw?: unknown;
}

export interface LoadedSource {
  readonly files: readonly DataFile[];
  /** sha256 (hex) of each file's bytes, in `files` order. */
  readonly fileHashes: readonly string[];
  readonly format: DatasetFormat;
  readonly records: readonly ParsedRecord[];
  /** Why each skipped record was invalid (only with skipInvalid). */
  readonly skipped: readonly string[];
}

export interface LoadSourceOptions {
  readonly paths: readonly string[];
  /** The format named in the config; undefined detects it from the first record. */
  readonly format?: DatasetFormat;
  /** Every registered format, for detection. */
  readonly formats: readonly DatasetFormat[];
  /**
   * The task the caller trains (`sft`), or the tasks whose records it takes: a source of another
   * task's format is an error. Undefined reads every task's formats (data tools).
   */
  readonly task?: string | readonly string[];
  readonly baseDir: string;
  readonly skipInvalid: boolean;
  /** Keep each record as the file holds it too (`raw`), for tools that write records back. */
  readonly keepRaw?: boolean;
  /**
   * Reshapes each record before its format is detected (e.g. LLaMA-Factory's dataset_info.json
   * column mapping); a UserError it throws names the record's `where`.
   */
  readonly mapRecord?: (record: unknown, where: string) => unknown;
}

/**
 * Reads, detects and validates one source. Every record must be of the source's one format: the
 * configured one, or the one its first record has. An invalid record (bad JSON, another shape, a
 * field that fails validation) is an error naming file, line and field, or with `skipInvalid` is
 * skipped and counted.
 */
export async function loadSource(opts: LoadSourceOptions): Promise<LoadedSource> {
  const files = await expandPaths(opts.paths, opts.baseDir);
  let format = opts.format;
  if (format !== undefined)
    checkTask(
      format,
      opts.task,
      opts.formats,
      `${files[0].path}: the records are ${format.description}`,
    );
  let detectedAt: string | undefined;
  const records: ParsedRecord[] = [];
  const skipped: string[] = [];
  const fileHashes: string[] = [];
  const invalid = (message: string) => {
    if (!opts.skipInvalid) throw new UserError(message);
    skipped.push(message);
  };
  for (const file of files) {
    const hash = createHash('sha256');
    for await (const raw of readRecords(file, hash)) {
      if ('invalid' in raw) {
        invalid(raw.invalid);
        continue;
      }
      const { where } = raw;
      let record: unknown;
      try {
        record = opts.mapRecord ? opts.mapRecord(raw.record, where) : raw.record;
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        invalid(error.message);
        continue;
      }
      if (format === undefined) {
        const detected = detectFormat(record, opts.formats, where);
        if ('invalid' in detected) {
          invalid(detected.invalid);
          continue;
        }
        checkTask(
          detected,
          opts.task,
          opts.formats,
          `${where}: the records are ${detected.description}`,
        );
        format = detected;
        detectedAt = where;
      } else if (detectedAt !== undefined && !format.detect(record)) {
        invalid(
          `${where}: the record is not ${format.description}, the format ${detectedAt} set for this source (${describeFields(record)}); all records of a source have one format`,
        );
        continue;
      }
      try {
        const parsed = format.parse(record, where);
        records.push(
          opts.keepRaw ? { where, record: parsed, raw: raw.record } : { where, record: parsed },
        );
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        invalid(error.message);
      }
    }
    fileHashes.push(hash.digest('hex'));
  }
  if (format === undefined) {
    const names = files.map((file) => file.path).join(', ');
    throw new UserError(
      skipped.length === 0
        ? `${names}: no records; expected JSON Lines or a JSON array of records`
        : `${names}: all ${skipped.length} records are invalid; the first: ${skipped[0]}`,
    );
  }
  return { files, fileHashes, format, records, skipped };
}

/**
 * Reads every source of a config as `task`'s records (readSources): each in its `format`, else
 * the config's, else detected, resolved through the container; relative paths from `baseDir`;
 * the records skipped as invalid added to `skipped`.
 */
export function readDataSources(
  c: Pick<SftDataConfig, 'train' | 'eval' | 'format' | 'skip_invalid'>,
  opts: {
    readonly container: DependencyContainer;
    readonly task: string | readonly string[];
    readonly baseDir: string;
    readonly skipped: string[];
  },
): Promise<{ readonly train: LoadedSource[]; readonly eval: LoadedSource[] }> {
  const { container } = opts;
  const formats = resolveAllOf(container, TOKENS.DatasetFormat);
  return readSources(c, async (source) => {
    const formatId = source.format ?? c.format;
    const loaded = await loadSource({
      paths: [source.path].flat(),
      format:
        formatId === undefined
          ? undefined
          : resolveById(container, TOKENS.DatasetFormat, formatId, 'dataset format'),
      formats,
      task: opts.task,
      baseDir: opts.baseDir,
      skipInvalid: c.skip_invalid,
    });
    opts.skipped.push(...loaded.skipped);
    return loaded;
  });
}

function checkTask(
  format: DatasetFormat,
  task: string | readonly string[] | undefined,
  formats: readonly DatasetFormat[],
  what: string,
): void {
  if (task === undefined) return;
  const tasks = [task].flat();
  if (tasks.includes(format.task)) return;
  const trainable = formats.filter((f) => tasks.includes(f.task)).map((f) => f.id);
  throw new UserError(
    `${what} (format '${format.id}'), which are for ${format.task} training; this run does ${tasks[0]} training, of the formats ${trainable.join(', ')}`,
  );
}
