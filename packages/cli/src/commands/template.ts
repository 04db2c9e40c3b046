import { resolveAllOf, TOKENS } from '@tunekit/core';
import { listTemplates, renderExamples } from '@tunekit/templates';
import { Command } from 'commander';
import { integerIn } from '../option-parsers.js';
import { loadPlugins } from '../plugins.js';
import type { CliStreams } from '../run-cli.js';

interface RenderFlags {
  readonly template: string;
  readonly data: string;
  readonly limit: number;
  readonly model?: string;
}

/** `tunekit template list|render`: the registered chat templates, and what a dataset looks like through one. */
export function templateCommand(streams: CliStreams): Command {
  const command = new Command('template').description(
    'List chat templates, or render a dataset through one.',
  );
  command
    .command('list')
    .description('List the registered chat templates.')
    .action(async () => {
      const container = await loadPlugins();
      streams.stdout.write(listTemplates(resolveAllOf(container, TOKENS.ChatTemplate)));
    });
  command
    .command('render')
    .description('Render records through a template, marking the tokens that are trained.')
    .requiredOption(
      '-t, --template <id|model-folder>',
      'a template id, or a model folder with a chat_template',
    )
    .requiredOption(
      '-d, --data <file>',
      'JSONL or JSON records (messages, Alpaca, prompt/completion, text)',
    )
    .option('-n, --limit <n>', 'how many records to render', integerIn(1), 3)
    .option('-m, --model <folder>', 'a model folder for token counts, when --template is an id')
    .action(async (flags: RenderFlags) => {
      const container = await loadPlugins();
      const text = await renderExamples({
        template: flags.template,
        dataFile: flags.data,
        limit: flags.limit,
        model: flags.model,
        colour: streams.stdout.isTTY === true,
        templates: resolveAllOf(container, TOKENS.ChatTemplate),
      });
      streams.stdout.write(text);
    });
  return command;
}
