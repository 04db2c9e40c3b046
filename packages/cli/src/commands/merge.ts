import {
  MERGE_DTYPES,
  type MergeDType,
  mergeAdapterIntoFolder,
  readHfConfig,
  TASK_HEADS_FILE,
  UserError,
} from '@tunekit/core';
import { Command, Option } from 'commander';
import {
  ALLOW_NONFINITE_FLAG,
  ALLOW_NONFINITE_HELP,
  nonFiniteOptions,
} from '../allow-nonfinite.js';
import { writeOutputFolder } from '../output-folder.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { importQlora } from '../qlora-package.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface MergeFlags {
  readonly model: string;
  readonly adapter: string;
  readonly out: string;
  readonly dtype?: MergeDType;
  readonly original?: string;
  readonly overwrite?: boolean;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
}

/**
 * `tunekit merge`: a base model folder plus a PEFT adapter folder → a full merged model folder. A
 * 4-bit base (config.json's quantization_config, QLoRA's) is dequantized and merged in f32 by
 * @tunekit/peft-qlora, and written in full precision, never quantized again.
 */
export function mergeCommand(streams: CliStreams): Command {
  return new Command('merge')
    .description('Merge a PEFT adapter into its base model and write a Hugging Face model folder.')
    .requiredOption('-m, --model <folder>', 'the base model folder (full precision or 4-bit)')
    .requiredOption(
      '-a, --adapter <folder>',
      'the adapter folder (adapter_config.json, adapter_model.safetensors)',
    )
    .requiredOption('-o, --out <folder>', 'where to write the merged model (not the base folder)')
    .addOption(
      new Option(
        '--dtype <dtype>',
        'the dtype of the merged weights (default: as the base stores them; a 4-bit base: the dtype its weights had before quantization)',
      ).choices(Object.keys(MERGE_DTYPES)),
    )
    .option(
      '--original <folder>',
      'for a 4-bit base: the full-precision folder it was quantized from; reports how far the 4-bit weights are from it',
    )
    .option('--overwrite', 'replace --out when it already holds files')
    .option(
      ALLOW_NONFINITE_FLAG,
      `${ALLOW_NONFINITE_HELP}; also writes merged weights that are not finite`,
    )
    .addOption(pluginOption("those the adapter's training record lists"))
    .action(async (flags: MergeFlags) => {
      const quantized = (await readHfConfig(flags.model)).quantization_config !== undefined;
      if (flags.original && !quantized) {
        throw new UserError(
          `--original compares a 4-bit base with the weights it was quantized from, but ${flags.model} is not quantized (its config.json has no quantization_config)`,
        );
      }
      const qlora = quantized
        ? await importQlora(`merging into the 4-bit base ${flags.model}`)
        : undefined;
      const container = await loadFolderPlugins(flags.adapter, flags.plugin, stderrLines(streams));
      const inputs = [flags.model, flags.adapter, ...(flags.original ? [flags.original] : [])];
      const result = await writeOutputFolder(
        flags.out,
        { flag: '--out', overwrite: flags.overwrite ?? false, inputs },
        async (out) => {
          const opts = {
            model: flags.model,
            adapter: flags.adapter,
            out,
            dtype: flags.dtype,
            container,
            ...nonFiniteOptions(flags, streams),
          };
          if (!qlora) return { files: await mergeAdapterIntoFolder(opts) };
          return qlora.mergeAdapterIntoQuantizedBase({ ...opts, original: flags.original });
        },
      );
      if ('difference' in result && result.difference && qlora) {
        streams.stdout.write(`${qlora.describeQuantizationError(result.difference)}\n`);
      }
      const how = 'dtype' in result ? ` (dequantized from 4 bits, written in ${result.dtype})` : '';
      streams.stdout.write(
        `merged ${flags.adapter} into ${flags.model}${how}: wrote ${result.files.join(', ')} to ${flags.out}\n`,
      );
      if (result.files.includes(TASK_HEADS_FILE))
        streams.stdout.write(
          `${TASK_HEADS_FILE}: the adapter's extra heads (a score head per classification task), kept beside the merged causal LM, which loads without them\n`,
        );
    });
}
