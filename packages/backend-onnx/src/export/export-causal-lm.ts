import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite, type CausalLM, HF_CONFIG_FILE } from '@tunekit/core';
import type { onnx } from 'onnx-proto';
import { lowerToModelProto } from '../lower.js';
import { copyCompanionFiles } from './companion-files.js';
import { traceExportGraph } from './export-graph.js';
import { hostPrefix } from './export-prefix.js';
import { generalize } from './generalize.js';
import {
  ONNX_DATA_FILE,
  ONNX_SUBFOLDER,
  type OnnxModelFileOptions,
  writeOnnxModel,
} from './onnx-model-file.js';
import { TRACE_SIZES } from './size-formula.js';

export interface ExportCausalLMOptions extends OnnxModelFileOptions {
  /**
   * The model to export, with its weights: a base model, one with an adapter merged in, or one with
   * an active prefix-family adapter (prefix tuning, prompt tuning), whose prefix the graph holds.
   */
  readonly model: CausalLM;
  /** Its `config.json`, written at the top of `outDir` where transformers.js and Optimum read it. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly outDir: string;
  /** A model folder whose tokenizer files, chat template and generation config are copied. */
  readonly sourceFolder?: string;
}

/**
 * Exports a causal LM for inference as Optimum and transformers.js lay it out, so both load the
 * folder with no options: `onnx/model.onnx` (and `onnx/model.onnx_data` with external data) with
 * inputs `input_ids`, `attention_mask`, `position_ids` (int64) and `past_key_values.N.key|value`,
 * outputs `logits` and `present.N.key|value`, every batch, sequence and past axis dynamic; at the
 * top `config.json` and the source folder's tokenizer and generation files. Returns the paths
 * written, relative to `outDir`.
 *
 * The graph is traced at several sizes (TRACE_SIZES) and the lowered graphs merged into one whose
 * size-dependent values are computed from the inputs' shapes (see `generalize`).
 */
export async function exportCausalLMToOnnx(opts: ExportCausalLMOptions): Promise<string[]> {
  const { model, outDir } = opts;
  const prefix = await hostPrefix(model);
  const traced = TRACE_SIZES.map((sizes) => ({ sizes, ...traceExportGraph(model, sizes, prefix) }));
  const graph = generalize(
    traced.map(({ sizes, graph }) => {
      const lowered = lowerToModelProto(graph, { shareConstants: false, blockwise: false });
      const onnxGraph = lowered.model.graph as onnx.IGraphProto;
      return { sizes, graph: withOutputNames(onnxGraph, lowered.outputNames) };
    }),
  );
  await mkdir(join(outDir, ONNX_SUBFOLDER), { recursive: true });
  const files = await writeOnnxModel(outDir, graph, traced[0].weights, opts);
  const external = files.includes(`${ONNX_SUBFOLDER}/${ONNX_DATA_FILE}`);
  const config = { ...opts.config, 'transformers.js_config': transformersJsConfig(external) };
  await atomicWrite(join(outDir, HF_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  files.push(HF_CONFIG_FILE);
  if (opts.sourceFolder) files.push(...(await copyCompanionFiles(opts.sourceFolder, outDir)));
  return files;
}

/**
 * What transformers.js reads from config.json's `transformers.js_config` so that it needs no
 * options: `dtype: fp32` picks `model.onnx` (without it the browser's default, q8, looks for
 * `model_quantized.onnx`), and `use_external_data_format` makes it fetch `model.onnx_data`.
 */
function transformersJsConfig(externalData: boolean): Record<string, unknown> {
  return externalData ? { dtype: 'fp32', use_external_data_format: true } : { dtype: 'fp32' };
}

/** The lowering names output `x` `out:x`; the exported model names it `x`. */
function withOutputNames(
  graph: onnx.IGraphProto,
  outputNames: ReadonlyMap<string, string>,
): onnx.IGraphProto {
  const rename = new Map([...outputNames].map(([name, onnxName]) => [onnxName, name]));
  const renamed = (name: string) => rename.get(name) ?? name;
  return {
    ...graph,
    node: (graph.node ?? []).map((n) => ({ ...n, output: (n.output ?? []).map(renamed) })),
    output: (graph.output ?? []).map((o) => ({ ...o, name: renamed(o.name as string) })),
  };
}
