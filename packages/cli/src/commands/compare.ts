import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { checkOutputPath, UserError } from '@tunekit/core';
import { compareRuns, comparisonHtml, comparisonText } from '@tunekit/trainer';
import { Command } from 'commander';
import type { CliStreams } from '../run-cli.js';

interface CompareFlags {
  readonly html?: string;
  readonly overwrite?: boolean;
  readonly json?: boolean;
}

/** `tunekit compare`: training runs side by side, as a table, JSON or an HTML page. */
export function compareCommand(streams: CliStreams): Command {
  return new Command('compare')
    .description(
      'Compare training runs (output_dirs of tunekit train): eval metrics after training, trainable parameters, saved size, training time and peak memory.',
    )
    .argument('<runs...>', 'the runs to compare: folders that tunekit train wrote')
    .option('--html <file>', 'also write the table as an HTML page')
    .option('--overwrite', 'replace the --html file if it exists')
    .option('--json', 'print the runs as JSON instead of the table')
    .action((runs: string[], flags: CompareFlags) => runCompare(runs, flags, streams));
}

async function runCompare(runs: string[], flags: CompareFlags, streams: CliStreams): Promise<void> {
  // the page's path is checked before anything is read, so a refused --html costs nothing
  const htmlPath =
    flags.html === undefined ? undefined : await pagePath(flags.html, flags.overwrite);
  const comparison = await compareRuns(runs);
  const write = (line: string) => streams.stdout.write(`${line}\n`);
  if (flags.json) write(JSON.stringify(comparison, null, 2));
  else for (const line of comparisonText(comparison)) write(line);
  if (htmlPath === undefined) return;
  await mkdir(dirname(htmlPath), { recursive: true });
  await writeFile(htmlPath, comparisonHtml(comparison));
  streams.stderr.write(`wrote ${flags.html}\n`);
}

/** Where the --html page goes: outside kernel file systems, never replacing a file unasked. */
async function pagePath(file: string, overwrite = false): Promise<string> {
  const path = join(await checkOutputPath(dirname(file), '--html'), basename(file));
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UserError(`--html: cannot read ${file} (${error.code ?? error.message})`);
  });
  if (existing?.isDirectory()) throw new UserError(`--html: ${file} is a folder; name a file`);
  if (existing && !overwrite)
    throw new UserError(`--html: ${file} already exists; pass --overwrite to replace it`);
  return path;
}
