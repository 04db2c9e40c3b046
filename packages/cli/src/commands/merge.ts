import { mergeAdapterIntoFolder } from '@tunekit/core';
import { Command } from 'commander';
import {
  ALLOW_NONFINITE_FLAG,
  ALLOW_NONFINITE_HELP,
  nonFiniteOptions,
} from '../allow-nonfinite.js';
import { writeOutputFolder } from '../output-folder.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface MergeFlags {
  readonly model: string;
  readonly adapter: string;
  readonly out: string;
  readonly overwrite?: boolean;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
}

/** `tunekit merge`: a base model folder plus a PEFT adapter folder → a full merged model folder. */
export function mergeCommand(streams: CliStreams): Command {
  return new Command('merge')
    .description('Merge a PEFT adapter into its base model and write a Hugging Face model folder.')
    .requiredOption('-m, --model <folder>', 'the base model folder')
    .requiredOption(
      '-a, --adapter <folder>',
      'the adapter folder (adapter_config.json, adapter_model.safetensors)',
    )
    .requiredOption('-o, --out <folder>', 'where to write the merged model (not the base folder)')
    .option('--overwrite', 'replace --out when it already holds files')
    .option(
      ALLOW_NONFINITE_FLAG,
      `${ALLOW_NONFINITE_HELP}; also writes merged weights that are not finite`,
    )
    .addOption(pluginOption("those the adapter's training record lists"))
    .action(async (flags: MergeFlags) => {
      const container = await loadFolderPlugins(flags.adapter, flags.plugin, stderrLines(streams));
      const files = await writeOutputFolder(
        flags.out,
        {
          flag: '--out',
          overwrite: flags.overwrite ?? false,
          inputs: [flags.model, flags.adapter],
        },
        (out) =>
          mergeAdapterIntoFolder({
            model: flags.model,
            adapter: flags.adapter,
            out,
            container,
            ...nonFiniteOptions(flags, streams),
          }),
      );
      streams.stdout.write(
        `merged ${flags.adapter} into ${flags.model}: wrote ${files.join(', ')} to ${flags.out}\n`,
      );
    });
}
