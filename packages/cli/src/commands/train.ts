import { dirname, resolve } from 'node:path';
import {
  routerTrainConfigSchema,
  trainConfigSchema,
  trainFromConfig,
  trainRouterFromConfig,
} from '@tunekit/trainer';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { z } from 'zod';
import { ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP } from '../allow-nonfinite.js';
import {
  type BackendOptionFlags,
  backendOptionFlag,
  backendOptionOverrides,
} from '../backend-option.js';
import { pluginListSchema } from '../config/plugin-list.js';
import { loadYamlConfig } from '../config/yaml-config.js';
import { collect } from '../option-parsers.js';
import {
  configPlugins,
  findPlugins,
  flagPlugins,
  loadPlugins,
  pluginOption,
} from '../plugins/index.js';
import type { CliStreams } from '../run-cli.js';

interface TrainFlags {
  readonly set?: string[];
  readonly printConfig?: boolean;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
  readonly backendCacheDir?: string;
  /** false with --no-backend-cache */
  readonly backendCache?: boolean;
  readonly backendOption?: BackendOptionFlags;
}

/** `tunekit train <config.yaml>`: supervised fine-tuning as one config file describes it. */
export function trainCommand(streams: CliStreams): Command {
  return new Command('train')
    .description(
      'Fine-tune a model as a YAML config says: model, data, chat template, PEFT method and training arguments (transformers/TRL names).',
    )
    .argument(
      '<config>',
      'the YAML config file (model and data paths are relative to it, output_dir to the working directory)',
    )
    .option(
      '--set <key=value>',
      'override a config key, e.g. --set learning_rate=1e-4 or --set peft.r=16 (repeatable)',
      collect,
    )
    .option('--print-config', 'print the config with every default filled in, and exit')
    .option(ALLOW_NONFINITE_FLAG, `${ALLOW_NONFINITE_HELP}; the same as allow_nonfinite: true`)
    .option(
      '--backend-cache-dir <dir>',
      'where the backend caches compiled sessions (the same as backend_cache_dir: <dir>)',
    )
    .addOption(backendOptionFlag(' (the same as backend_options: { key: value }, with backend:)'))
    .option(
      '--no-backend-cache',
      'compile every session anew, caching nothing (the same as backend_cache_dir: false)',
    )
    .addOption(
      pluginOption(
        'those under plugins: in the config; the training record keeps both (paths absolute), so commands that load the adapter load them too',
      ),
    )
    .action((file: string, flags: TrainFlags) => train(file, flags, streams));
}

// `task: router` trains an adapter router's classifier instead of a model (docs/guides/router.md)
const taskSchema = z.looseObject({ task: z.literal('router').optional() });

async function train(file: string, flags: TrainFlags, streams: CliStreams): Promise<void> {
  const overrides = [
    ...(flags.set ?? []),
    ...(flags.allowNonfinite ? ['allow_nonfinite=true'] : []),
    ...(flags.backendCacheDir
      ? [`backend_cache_dir=${JSON.stringify(flags.backendCacheDir)}`]
      : []),
    ...(flags.backendCache === false ? ['backend_cache_dir=false'] : []),
    ...backendOptionOverrides(flags.backendOption),
  ];
  // the plugins a config lists register what the rest of it names (a PEFT method, a backend)
  const { plugins } = await loadYamlConfig(file, pluginListSchema, overrides);
  const found = findPlugins([configPlugins(file, plugins), flagPlugins(flags.plugin)]);
  const container = await loadPlugins(found);
  const { task } = await loadYamlConfig(file, taskSchema, overrides);
  if (task === 'router') {
    const config = await loadYamlConfig(file, routerTrainConfigSchema, overrides);
    if (flags.printConfig) {
      streams.stdout.write(`# ${file}, with every default filled in\n${stringify(config)}`);
      return;
    }
    await trainRouterFromConfig(config, {
      container,
      configDir: dirname(resolve(file)),
      configFile: file,
      print: (line) => streams.stdout.write(`${line}\n`),
    });
    return;
  }
  const config = await loadYamlConfig(file, trainConfigSchema(container), overrides);
  if (flags.printConfig) {
    streams.stdout.write(`# ${file}, with every default filled in\n${stringify(config)}`);
    return;
  }
  await trainFromConfig(config, {
    configDir: dirname(resolve(file)),
    configFile: file,
    container,
    // recorded, paths absolute, so that eval, chat, merge... load them from any folder
    plugins: found.map((plugin) => plugin.recorded),
    print: (line) => streams.stdout.write(`${line}\n`),
    warn: (line) => streams.stderr.write(`${line}\n`),
  });
}
