import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportCausalLMToOnnx } from '@tunekit/backend-onnx';
import {
  ADAPTER_CONFIG_FILE,
  loadCausalLM,
  mergeAdapterIntoFolder,
  type NonFiniteOptions,
  PeftModel,
  peftTypeOf,
  readHfConfig,
  readJsonObject,
  resolveAllOf,
  resolveModelSource,
  TOKENS,
} from '@tunekit/core';
import { Command, Option } from 'commander';
import type { DependencyContainer } from 'tsyringe';
import {
  ALLOW_NONFINITE_FLAG,
  ALLOW_NONFINITE_HELP,
  nonFiniteOptions,
} from '../allow-nonfinite.js';
import { writeOutputFolder } from '../output-folder.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface ExportFlags {
  readonly model: string;
  readonly adapter?: string;
  readonly format: 'onnx';
  readonly out: string;
  readonly externalData?: boolean;
  readonly overwrite?: boolean;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
}

/** `tunekit export`: a model folder (with an adapter merged in) → an ONNX model for inference. */
export function exportCommand(streams: CliStreams): Command {
  return new Command('export')
    .description(
      'Export a causal LM for inference as Optimum and transformers.js lay it out (both load it with no options): onnx/model.onnx with a KV cache, config and tokenizer files at the top.',
    )
    .requiredOption('-m, --model <folder|hub-id>', 'model folder, or a Hugging Face Hub id')
    .option(
      '-a, --adapter <folder>',
      'a PEFT adapter folder to merge into the model first (a prefix-tuning or prompt-tuning adapter is held in the graph instead)',
    )
    .addOption(
      new Option('-f, --format <format>', 'the format to write').choices(['onnx']).default('onnx'),
    )
    .requiredOption('-o, --out <folder>', 'where to write the exported model')
    .option('--overwrite', 'replace --out when it already holds files')
    .option(
      '--external-data',
      'keep the weights in onnx/model.onnx_data beside onnx/model.onnx (always done past about 1.8 GB)',
    )
    .option(ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP)
    .addOption(pluginOption("those the adapter's (or model's) training record lists"))
    .action(async (flags: ExportFlags) => {
      const container = await loadFolderPlugins(
        flags.adapter ?? flags.model,
        flags.plugin,
        stderrLines(streams),
      );
      const files = await exportModel(flags, container, nonFiniteOptions(flags, streams));
      const merged = flags.adapter ? ` with ${flags.adapter} merged in` : '';
      streams.stdout.write(
        `exported ${flags.model}${merged} as ${flags.format}: wrote ${files.join(', ')} to ${flags.out}\n`,
      );
    });
}

async function exportModel(
  flags: ExportFlags,
  container: DependencyContainer,
  nonFinite: NonFiniteOptions,
): Promise<string[]> {
  // --out is checked before anything is downloaded or loaded; a hub id is no folder to protect
  const inputs = flags.adapter ? [flags.model, flags.adapter] : [flags.model];
  return writeOutputFolder(
    flags.out,
    { flag: '--out', overwrite: flags.overwrite ?? false, inputs },
    (outDir) => exportInto(outDir, flags, container, nonFinite),
  );
}

async function exportInto(
  outDir: string,
  flags: ExportFlags,
  container: DependencyContainer,
  nonFinite: NonFiniteOptions,
): Promise<string[]> {
  let source = await resolveModelSource(flags.model);
  if (flags.adapter && (await isPromptLearning(flags.adapter, container)))
    return exportWithPrefix(outDir, source, flags.adapter, flags, container, nonFinite);
  let merged: string | undefined;
  if (flags.adapter) {
    // the merge writes a full model folder (the adapter's tokenizer files and chat template win);
    // it goes beside the output, on the same disk, and is removed after the export
    merged = await mkdtemp(join(dirname(outDir), '.tunekit-merge-'));
    await mergeAdapterIntoFolder({
      model: source,
      adapter: flags.adapter,
      out: merged,
      container,
      ...nonFinite,
    });
    source = merged;
  }
  try {
    const { model } = await loadCausalLM(source, { families: container, ...nonFinite });
    return await exportCausalLMToOnnx({
      model,
      config: await readHfConfig(source),
      outDir,
      sourceFolder: source,
      externalData: flags.externalData,
    });
  } finally {
    if (merged) await rm(merged, { recursive: true, force: true });
  }
}

/** Whether `adapter` is a prompt-learning adapter (prefix or prompt tuning): it has nothing to merge. */
async function isPromptLearning(adapter: string, container: DependencyContainer): Promise<boolean> {
  const file = join(adapter, ADAPTER_CONFIG_FILE);
  if (!existsSync(file)) return false; // the merge says what is missing
  const { peft_type } = await readJsonObject(file);
  return resolveAllOf(container, TOKENS.PeftMethod).some(
    (m) => m.isPromptLearning && peftTypeOf(m) === peft_type,
  );
}

/**
 * The model with a prompt-learning adapter loaded on it: the export computes the adapter's keys and
 * values once and holds them in the graph before the past, so the exported model needs nothing else.
 */
async function exportWithPrefix(
  outDir: string,
  source: string,
  adapter: string,
  flags: ExportFlags,
  container: DependencyContainer,
  nonFinite: NonFiniteOptions,
): Promise<string[]> {
  const config = await readHfConfig(source);
  const { model } = await loadCausalLM(source, { families: container, ...nonFinite });
  await PeftModel.fromPretrained(model, adapter, {
    ...nonFinite,
    methods: resolveAllOf(container, TOKENS.PeftMethod),
    dispatchers: resolveAllOf(container, TOKENS.LinearDispatcher),
    modelType: typeof config.model_type === 'string' ? config.model_type : undefined,
  });
  return exportCausalLMToOnnx({
    model,
    config,
    outDir,
    sourceFolder: source,
    externalData: flags.externalData,
  });
}
