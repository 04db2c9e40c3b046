import { lineage, lineageText } from '@tunekit/data-tools';
import { Command } from 'commander';
import type { CliStreams } from '../run-cli.js';

/** `tunekit data lineage`: what an adapter or a data file was made from, back to the sources. */
export function lineageCommand(streams: CliStreams): Command {
  return new Command('lineage')
    .description(
      'Trace an adapter (a folder tunekit train wrote) or a data file back through the data manifests to its sources.',
    )
    .argument('<path>', 'a training output folder or a data file')
    .option('--json', 'print the lineage as JSON')
    .action(async (path: string, flags: { readonly json?: boolean }) => {
      const root = await lineage(path);
      const text = flags.json ? [JSON.stringify(root, null, 2)] : lineageText(root);
      for (const line of text) streams.stdout.write(`${line}\n`);
    });
}
