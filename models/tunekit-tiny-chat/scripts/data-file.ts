import { writeFile } from 'node:fs/promises';
import { writeDataManifest } from '@tunekit/core';

/** How a script of this folder made a data file: the script (its pnpm script's and file's name). */
export interface ScriptedData {
  readonly script: string;
  readonly format: string;
  readonly seed: number;
  readonly task: string;
}

/**
 * Writes `records` (JSON texts) to `path` as JSON Lines, and its data manifest naming the script
 * that made it, which training records, so `tunekit data lineage` traces a run back here.
 */
export async function writeScriptedData(
  path: string,
  records: readonly string[],
  made: ScriptedData,
): Promise<void> {
  await writeFile(path, `${records.join('\n')}\n`);
  await writeDataManifest(path, {
    records: records.length,
    format: made.format,
    command: `pnpm --filter @tunekit/tiny-chat-scripts ${made.script}`,
    inputs: [],
    details: {
      generator: `models/tunekit-tiny-chat/scripts/${made.script}.ts`,
      seed: made.seed,
      task: made.task,
    },
  });
}
