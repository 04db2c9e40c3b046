import { writeFile } from 'node:fs/promises';
import { embedTexts, POOLING_MODES, type PoolingMode } from '@tunekit/trainer';
import { Command, Option } from 'commander';
import { ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP } from '../allow-nonfinite.js';
import { type BackendOptionFlags, backendFlag, backendOptionFlag } from '../backend-option.js';
import { npyBytes } from '../npy-file.js';
import { integerIn } from '../option-parsers.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface EmbedFlags {
  readonly model?: string;
  readonly adapter?: string;
  readonly output?: string;
  readonly pooling?: PoolingMode;
  readonly maxLength?: number;
  readonly batchSize?: number;
  readonly backend?: string;
  readonly backendOption?: BackendOptionFlags;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
}

/** `tunekit embed`: a file's texts as embedding vectors (JSONL, or a .npy matrix). */
export function embedCommand(streams: CliStreams): Command {
  return new Command('embed')
    .description(
      'Embed the texts of a JSONL file ({"text": ...} or {"messages": [...]} records) with a model and a FEATURE_EXTRACTION adapter; one unit-length vector per record.',
    )
    .argument('<file>', 'the records to embed')
    .option(
      '-m, --model <folder|hub-id>',
      'the base model (default: the base in the adapter’s training record)',
    )
    .option(
      '-a, --adapter <folder>',
      'a FEATURE_EXTRACTION adapter folder (tunekit train saves one)',
    )
    .option(
      '-o, --output <file>',
      'where the vectors go: a .npy file (float32 [records, hidden]) or a .jsonl file ({"text", "embedding"} per line); default JSONL on stdout',
    )
    .addOption(
      new Option(
        '--pooling <mode>',
        'pooling (default: as the adapter was trained, else mean)',
      ).choices(POOLING_MODES),
    )
    .option('--max-length <n>', 'cut texts to this many tokens', integerIn(1))
    .option('--batch-size <n>', 'texts per batch', integerIn(1))
    .addOption(backendFlag())
    .addOption(backendOptionFlag())
    .option(ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP)
    .addOption(pluginOption("those the adapter's training record lists"))
    .action((file: string, flags: EmbedFlags) => embed(file, flags, streams));
}

async function embed(file: string, flags: EmbedFlags, streams: CliStreams): Promise<void> {
  const { texts, vectors, dimension } = await embedTexts({
    container: await loadFolderPlugins(
      flags.adapter ?? flags.model,
      flags.plugin,
      stderrLines(streams),
    ),
    model: flags.model,
    adapter: flags.adapter,
    file,
    poolingMode: flags.pooling,
    maxLength: flags.maxLength,
    batchSize: flags.batchSize,
    backend: flags.backend,
    backendOptions: flags.backendOption,
    allowNonfinite: flags.allowNonfinite,
    warn: (line) => streams.stderr.write(`${line}\n`),
  });
  if (flags.output?.endsWith('.npy')) {
    await writeFile(flags.output, npyBytes(vectors, dimension));
  } else {
    const lines = vectors.map(
      (v, i) => `${JSON.stringify({ text: texts[i], embedding: Array.from(v) })}\n`,
    );
    if (flags.output === undefined) for (const line of lines) streams.stdout.write(line);
    else await writeFile(flags.output, lines.join(''));
  }
  if (flags.output !== undefined)
    streams.stdout.write(`${vectors.length} embeddings of ${dimension} values: ${flags.output}\n`);
}
