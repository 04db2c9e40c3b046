import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { type ChatTemplate, resolveById, TOKENS, UserError } from '@tunekit/core';
import { composeSystem, isTemplateFile, readTemplateFile } from '@tunekit/templates';
import type { TrainConfig } from '@tunekit/trainer';
import type { DependencyContainer } from 'tsyringe';
import { loraChanges } from './lora-changes.js';
import { sourceFormat } from './source-format.js';

/** One data source as a cluster trainer reads it: paths relative to the written file, a format id. */
export interface JobSource {
  readonly paths: readonly string[];
  readonly format: string;
}

/** What both targets need besides the config's own keys, resolved once. */
export interface ClusterJob {
  readonly config: TrainConfig;
  /** A Hub id as given, or the model folder relative to the written file. */
  readonly baseModel: string;
  readonly train: readonly JobSource[];
  readonly eval: readonly JobSource[] | undefined;
  /** The template tunekit renders with; `jinja` undefined: the model's own chat_template. */
  readonly template: {
    readonly id: string;
    readonly render: ChatTemplate;
    readonly jinja?: string;
  };
  /** The system message `system:` composes, if any. */
  readonly system: string | undefined;
  /** LoRA's config fields that differ from PEFT's defaults, with r, lora_alpha, lora_dropout, target_modules always. */
  readonly lora: Readonly<Record<string, unknown>> | undefined;
}

export interface ClusterJobOptions {
  readonly container: DependencyContainer;
  /** The config file's folder: model, data and template paths are relative to it. */
  readonly configDir: string;
  /** The written file's folder: paths in the export are relative to it. */
  readonly outDir: string;
  /** `axolotl` or `trl`, for errors. */
  readonly target: string;
}

export async function clusterJob(
  config: TrainConfig,
  opts: ClusterJobOptions,
): Promise<ClusterJob> {
  const taskType = config.peft?.task_type ?? 'CAUSAL_LM';
  if (taskType !== 'CAUSAL_LM')
    throw new UserError(
      `peft.task_type: ${taskType}: ${opts.target} is written as causal-LM SFT; a classification or embedding job has no equivalent there`,
    );
  const here = (path: string) => relative(opts.outDir, resolve(opts.configDir, path)) || '.';
  const local = resolve(opts.configDir, config.model);
  const isLocal = existsSync(local) || isAbsolute(config.model) || config.model.startsWith('.');
  const sources = async (list: TrainConfig['train'], key: string) =>
    Promise.all(
      list.map(async (source, i): Promise<JobSource> => {
        if ('head' in source && source.head)
          throw new UserError(
            `${key}[${i}].head: ${opts.target} trains one causal-LM head; a task head of its own beside the LM tasks (several heads on one model) has no equivalent there`,
          );
        if (source.weight !== 1)
          throw new UserError(
            `${key}[${i}].weight: ${source.weight}: ${opts.target} has no per-source weights; repeat or subsample the file instead`,
          );
        const paths = [source.path].flat();
        const format =
          source.format ??
          config.format ??
          (await sourceFormat(resolve(opts.configDir, paths[0]), opts.container));
        return { paths: paths.map(here), format };
      }),
    );
  return {
    config,
    baseModel: isLocal ? here(config.model) : config.model,
    train: await sources(config.train, 'train'),
    eval: config.eval && (await sources(config.eval, 'eval')),
    template: await template(config, opts, isLocal ? local : undefined),
    system:
      config.system === undefined
        ? undefined
        : composeSystem(config.system, { nativeTools: false }).content,
    lora: config.peft && loraChanges(config.peft, opts.container, opts.target),
  };
}

async function template(
  config: TrainConfig,
  opts: ClusterJobOptions,
  modelFolder: string | undefined,
): Promise<ClusterJob['template']> {
  // as training chooses: the config's template, else the model's own when its tokenizer has one
  const id = config.template ?? ((await hasChatTemplate(modelFolder)) ? 'jinja' : 'chatml');
  if (isTemplateFile(id)) {
    const { template: render } = await readTemplateFile(resolve(opts.configDir, id));
    return { id, render, jinja: render.chatTemplate() };
  }
  const render = resolveById(opts.container, TOKENS.ChatTemplate, id, 'chat template');
  return id === 'jinja' ? { id, render } : { id, render, jinja: render.chatTemplate() };
}

/** True unless a local model folder's tokenizer_config.json has no chat_template (a Hub id: assumed). */
async function hasChatTemplate(modelFolder: string | undefined): Promise<boolean> {
  if (modelFolder === undefined) return true;
  const text = await readFile(join(modelFolder, 'tokenizer_config.json'), 'utf8').catch(() => '{}');
  const parsed = JSON.parse(text) as { chat_template?: unknown };
  return parsed.chat_template !== undefined && parsed.chat_template !== null;
}
