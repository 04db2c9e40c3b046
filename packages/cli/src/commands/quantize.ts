import { Command, Option } from 'commander';
import { collect } from '../option-parsers.js';
import { writeOutputFolder } from '../output-folder.js';
import { findPlugins, flagPlugins, loadPlugins, pluginOption } from '../plugins/index.js';
import { importQlora } from '../qlora-package.js';
import type { CliStreams } from '../run-cli.js';

interface QuantizeFlags {
  readonly model: string;
  readonly out: string;
  readonly quantType: 'nf4' | 'fp4';
  readonly doubleQuant?: boolean;
  readonly blocksize: string;
  readonly skipModules?: string[];
  readonly overwrite?: boolean;
  readonly plugin?: string[];
}

/** bitsandbytes' 4-bit block sizes (functional.py quantize_4bit). */
const BLOCKSIZES = ['32', '64', '128', '256', '512', '1024', '2048', '4096'];

/**
 * `tunekit quantize`: a full-precision model folder → a 4-bit folder as transformers + bitsandbytes
 * save one (`load_in_4bit`), which QLoRA trains on and transformers loads (@tunekit/peft-qlora).
 */
export function quantizeCommand(streams: CliStreams): Command {
  return new Command('quantize')
    .description(
      'Quantize a model folder to 4 bits as transformers + bitsandbytes save it (needs @tunekit/peft-qlora).',
    )
    .requiredOption('-m, --model <folder>', 'the full-precision model folder (f32, f16 or bf16)')
    .requiredOption('-o, --out <folder>', 'where to write the 4-bit model (not the model folder)')
    .addOption(
      new Option('--quant-type <type>', 'the 4-bit code (bnb_4bit_quant_type)')
        .choices(['nf4', 'fp4'])
        .default('nf4'),
    )
    .option(
      '--double-quant',
      'quantize the absmax values too, to 8 bits (bnb_4bit_use_double_quant)',
    )
    .addOption(
      new Option('--blocksize <n>', 'values per absmax block').choices(BLOCKSIZES).default('64'),
    )
    .option(
      '--skip-modules <name>',
      'a module to keep in full precision besides lm_head (llm_int8_skip_modules; repeatable)',
      collect,
    )
    .option('--overwrite', 'replace --out when it already holds files')
    .addOption(pluginOption('the installed tunekit packages'))
    .action(async (flags: QuantizeFlags) => {
      const { quantizeModelFolder } = await importQlora('tunekit quantize');
      const container = await loadPlugins(findPlugins([flagPlugins(flags.plugin)]));
      const result = await writeOutputFolder(
        flags.out,
        { flag: '--out', overwrite: flags.overwrite ?? false, inputs: [flags.model] },
        (out) =>
          quantizeModelFolder({
            model: flags.model,
            out,
            quant_type: flags.quantType,
            compress_statistics: flags.doubleQuant ?? false,
            blocksize: Number(flags.blocksize),
            llm_int8_skip_modules: flags.skipModules ?? null,
            families: container,
          }),
      );
      const how = `${flags.quantType}${flags.doubleQuant ? ' with double quantization' : ''}, blocksize ${flags.blocksize}`;
      streams.stdout.write(
        `quantized ${result.quantized.length} weights of ${flags.model} to ${how} (kept ${result.kept.length} tensors as they were): wrote ${result.files.join(', ')} to ${flags.out}\n`,
      );
    });
}
