import { type DatasetFormat, UserError } from '@tunekit/core';
import { DATASET_FORMATS, loadSource } from '@tunekit/trainer';
import { type Conversation, conversationOf } from './conversation.js';

/** One record of a data file: where it is, as the file holds it, and as a conversation. */
export interface DataRecord {
  /** `file:line`. */
  readonly where: string;
  /** The record as written in the file (what data tools write back). */
  readonly raw: unknown;
  /** As its format parsed it (an `SftRecord` or a `PreferenceRecord`). */
  readonly parsed: unknown;
  readonly conversation: Conversation;
}

/** A data file (or glob) read whole, valid records and why the others are not. */
export interface DataSet {
  readonly paths: readonly string[];
  /** sha256 (hex) of each file's bytes, in `paths` order. */
  readonly sha256: readonly string[];
  readonly format: DatasetFormat;
  readonly records: readonly DataRecord[];
  /** One line per invalid record (bad JSON, another shape, a field that fails validation). */
  readonly invalid: readonly string[];
}

export interface ReadDataOptions {
  /** The format's id; by default detected from the first record, as `tunekit train` does. */
  readonly format?: string;
  /** The formats known (a container's, with plugins'); default the trainer's. */
  readonly formats?: readonly DatasetFormat[];
  /** Relative paths start here; default the working directory. */
  readonly baseDir?: string;
  /** Reshapes each record before its format is detected (LLaMA-Factory's column mapping). */
  readonly mapRecord?: (record: unknown, where: string) => unknown;
}

/**
 * Reads data files as `tunekit train` reads them (JSONL or a JSON array, any dataset format the
 * trainer knows, globs), keeping invalid records out and counted instead of failing on the first.
 */
export async function readDataSet(
  paths: string | readonly string[],
  opts: ReadDataOptions = {},
): Promise<DataSet> {
  const formats = opts.formats ?? DATASET_FORMATS;
  const named = opts.format === undefined ? undefined : formatById(formats, opts.format);
  const source = await loadSource({
    paths: typeof paths === 'string' ? [paths] : paths,
    format: named,
    formats,
    baseDir: opts.baseDir ?? process.cwd(),
    skipInvalid: true,
    keepRaw: true,
    mapRecord: opts.mapRecord,
  });
  return {
    paths: source.files.map((file) => file.path),
    sha256: source.fileHashes,
    format: source.format,
    records: source.records.map(({ where, record, raw }) => ({
      where,
      raw,
      parsed: record,
      conversation: conversationOf(record),
    })),
    invalid: source.skipped,
  };
}

function formatById(formats: readonly DatasetFormat[], id: string): DatasetFormat {
  const format = formats.find((f) => f.id === id);
  if (format === undefined)
    throw new UserError(
      `--format ${id}: unknown dataset format; known: ${formats.map((f) => f.id).join(', ')}`,
    );
  return format;
}
