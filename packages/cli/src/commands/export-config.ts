import { writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { UserError } from '@tunekit/core';
import { trainConfigSchema } from '@tunekit/trainer';
import { Command, Option } from 'commander';
import { pluginListSchema } from '../config/plugin-list.js';
import { loadYamlConfig } from '../config/yaml-config.js';
import { axolotlYaml, clusterJob, trlScript } from '../export-config/index.js';
import { collect } from '../option-parsers.js';
import {
  configPlugins,
  findPlugins,
  flagPlugins,
  loadPlugins,
  pluginOption,
} from '../plugins/index.js';
import type { CliStreams } from '../run-cli.js';

interface ExportConfigFlags {
  readonly to: 'axolotl' | 'trl';
  readonly out?: string;
  readonly set?: string[];
  readonly plugin?: string[];
}

/** `tunekit export-config <config.yaml> --to axolotl|trl`: the same job for a cluster trainer. */
export function exportConfigCommand(streams: CliStreams): Command {
  return new Command('export-config')
    .description(
      'Write the job a train config describes as an axolotl YAML or a TRL SFT script, to run with DeepSpeed or FSDP on a GPU cluster; the PEFT adapter it writes comes back to tunekit.',
    )
    .argument('<config>', 'the YAML config file, as for tunekit train')
    .addOption(
      new Option('--to <target>', 'the cluster trainer')
        .choices(['axolotl', 'trl'])
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'write here (paths in it are relative to its folder); default stdout')
    .option(
      '--set <key=value>',
      'override a config key, as for tunekit train (repeatable)',
      collect,
    )
    .addOption(pluginOption('those under plugins: in the config'))
    .action((file: string, flags: ExportConfigFlags) => exportConfig(file, flags, streams));
}

async function exportConfig(file: string, flags: ExportConfigFlags, streams: CliStreams) {
  const overrides = flags.set ?? [];
  const { plugins } = await loadYamlConfig(file, pluginListSchema, overrides);
  const container = await loadPlugins(
    findPlugins([configPlugins(file, plugins), flagPlugins(flags.plugin)]),
  );
  const config = await loadYamlConfig(file, trainConfigSchema(container), overrides);
  const target = flags.to === 'axolotl' ? 'axolotl' : 'TRL';
  const job = await clusterJob(config, {
    container,
    configDir: dirname(resolve(file)),
    outDir: flags.out === undefined ? process.cwd() : dirname(resolve(flags.out)),
    target,
  });
  const warn = (line: string) => streams.stderr.write(`warning: ${line}\n`);
  const text =
    flags.to === 'axolotl'
      ? axolotlYaml(job, basename(file), warn)
      : trlScript(job, basename(file), warn);
  if (flags.out === undefined) {
    streams.stdout.write(text);
    return;
  }
  await writeFile(flags.out, text).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`--out ${flags.out}: cannot write (${error.code ?? error.message})`);
  });
  streams.stdout.write(`wrote ${flags.out} (${target})\n`);
}
