import { corePlugins, createContainer, resolveAllOf, TOKENS } from '@tunekit/core';
import { listTemplates, renderExamples, plugin as templatesPlugin } from '@tunekit/templates';
import { Command } from 'commander';
import { integerIn } from '../option-parsers.js';
import {
  findPlugins,
  flagPlugins,
  importPlugins,
  type PluginSource,
  pluginOption,
  recordPlugins,
} from '../plugins/index.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface RenderFlags {
  readonly template: string;
  readonly data: string;
  readonly limit: number;
  readonly model?: string;
  readonly addGenerationPrompt?: boolean;
  readonly plugin?: string[];
}

/**
 * The chat templates registered: of tunekit's packages only core's and @tunekit/templates' plugins
 * register templates, so the template commands load neither a backend nor the trainer and start
 * fast; the plugins `sources` name may add their own.
 */
async function registeredTemplates(sources: readonly PluginSource[]) {
  const plugins = [...corePlugins, templatesPlugin, ...(await importPlugins(findPlugins(sources)))];
  return resolveAllOf(createContainer(plugins), TOKENS.ChatTemplate);
}

/** `tunekit template list|render`: the registered chat templates, and what a dataset looks like through one. */
export function templateCommand(streams: CliStreams): Command {
  const command = new Command('template').description(
    'List chat templates, or render a dataset through one.',
  );
  command
    .command('list')
    .description('List the registered chat templates.')
    .addOption(pluginOption('the built-in templates'))
    .action(async (flags: { readonly plugin?: string[] }) => {
      streams.stdout.write(listTemplates(await registeredTemplates([flagPlugins(flags.plugin)])));
    });
  command
    .command('render')
    .description('Render records through a template, marking the tokens that are trained.')
    .requiredOption(
      '-t, --template <id|file|folder>',
      'a template id, a .jinja file, a tokenizer_config.json, or a folder holding one with a chat_template',
    )
    .requiredOption(
      '-d, --data <file>',
      'JSONL or JSON records (messages, Alpaca, prompt/completion, text)',
    )
    .option('-n, --limit <n>', 'how many records to render', integerIn(1), 3)
    .option(
      '-m, --model <folder>',
      'a folder with tokenizer.json (no weights needed) for token counts; without one, characters are counted',
    )
    .option(
      '--add-generation-prompt',
      "end each conversation with the template's generation prompt (add_generation_prompt)",
    )
    .addOption(
      pluginOption("the built-in templates and those the --model folder's training record lists"),
    )
    .action(async (flags: RenderFlags) => {
      const text = await renderExamples({
        template: flags.template,
        dataFile: flags.data,
        limit: flags.limit,
        model: flags.model,
        addGenerationPrompt: flags.addGenerationPrompt,
        colour: streams.stdout.isTTY === true,
        templates: await registeredTemplates([
          await recordPlugins(flags.model, stderrLines(streams)),
          flagPlugins(flags.plugin),
        ]),
      });
      streams.stdout.write(text);
    });
  return command;
}
