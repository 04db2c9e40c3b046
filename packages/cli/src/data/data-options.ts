import type { Command } from 'commander';
import { pluginOption } from '../plugins/index.js';

/** The options every `tunekit data` command takes: the input format, plugins, and --overwrite. */
export function dataOptions(command: Command): Command {
  return command
    .option(
      '--format <id>',
      "the records' dataset format (default: detected from the first record)",
    )
    .option('--overwrite', 'replace output files that exist')
    .addOption(
      pluginOption("the dataset formats and templates of tunekit's trainer and templates"),
    );
}
