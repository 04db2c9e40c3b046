import { corePlugins, createContainer, resolveAllOf, TOKENS, Tokenizer } from '@tunekit/core';
import type { ReadDataOptions, TokenCounting } from '@tunekit/data-tools';
import {
  contextFromTokenizer,
  resolveChatTemplate,
  plugin as templatesPlugin,
} from '@tunekit/templates';
import { resolveModelFolder, plugin as trainerPlugin } from '@tunekit/trainer';
import type { Command } from 'commander';
import type { DependencyContainer } from 'tsyringe';
import { findPlugins, flagPlugins, importPlugins, loadPlugins } from '../plugins/index.js';

/** The flags every `tunekit data` command shares. */
export interface DataFlags {
  readonly format?: string;
  readonly plugin?: string[];
  readonly overwrite?: boolean;
}

/**
 * The container the data commands read with: core's, the templates' and the trainer's plugins
 * (dataset formats, chat templates) and the `--plugin`s; with `models`, every first-party package
 * (a backend and the PEFT methods, to generate with a model and its adapter).
 */
export async function dataContainer(
  flags: DataFlags,
  opts: { readonly models?: boolean } = {},
): Promise<DependencyContainer> {
  const found = findPlugins([flagPlugins(flags.plugin)]);
  if (opts.models) return loadPlugins(found);
  return createContainer([
    ...corePlugins,
    templatesPlugin,
    trainerPlugin,
    ...(await importPlugins(found)),
  ]);
}

/** readDataSet's options from the flags: the named format among the container's. */
export function readOptions(container: DependencyContainer, flags: DataFlags): ReadDataOptions {
  return { format: flags.format, formats: resolveAllOf(container, TOKENS.DatasetFormat) };
}

/**
 * Token counting with `--model`'s tokenizer and the template `--template` names (default: the
 * model's own chat template, else ChatML), as `tunekit train` renders the data.
 */
export async function tokenCounting(
  container: DependencyContainer,
  model: string,
  template?: string,
): Promise<TokenCounting> {
  const folder = await resolveModelFolder(model, process.cwd());
  const tokenizer = await Tokenizer.fromFolder(folder);
  const setting = template ?? (tokenizer.chatTemplate !== undefined ? 'jinja' : 'chatml');
  return {
    tokenizer,
    template: await resolveChatTemplate(container, setting),
    context: contextFromTokenizer(tokenizer),
  };
}

/** The command line as typed, for manifests: `tunekit data dedupe a.jsonl --out b.jsonl --near 0.8`. */
export function commandLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  const quote = (text: string) => (/^[\w./:=,@+-]+$/.test(text) ? text : JSON.stringify(text));
  const options = command.options.flatMap((option) => {
    const key = option.attributeName();
    const value = command.getOptionValue(key);
    if (value === undefined || command.getOptionValueSource(key) === 'default') return [];
    const flag = option.long ?? option.short ?? key;
    if (value === true) return [flag];
    return [value].flat().map((v) => `${flag} ${quote(String(v))}`);
  });
  return [...names, ...command.args.map(quote), ...options].join(' ');
}
