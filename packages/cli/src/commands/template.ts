import { corePlugins, createContainer, resolveAllOf, TOKENS } from '@tunekit/core';
import { listTemplates, renderExamples, plugin as templatesPlugin } from '@tunekit/templates';
import { Command } from 'commander';
import { integerIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';

interface RenderFlags {
  readonly template: string;
  readonly data: string;
  readonly limit: number;
  readonly model?: string;
  readonly addGenerationPrompt?: boolean;
}

/**
 * The chat templates registered: core's and @tunekit/templates' plugins are all that register
 * templates, so the template commands load neither a backend nor the trainer and start fast.
 */
function registeredTemplates() {
  return resolveAllOf(createContainer([...corePlugins, templatesPlugin]), TOKENS.ChatTemplate);
}

/** `tunekit template list|render`: the registered chat templates, and what a dataset looks like through one. */
export function templateCommand(streams: CliStreams): Command {
  const command = new Command('template').description(
    'List chat templates, or render a dataset through one.',
  );
  command
    .command('list')
    .description('List the registered chat templates.')
    .action(() => {
      streams.stdout.write(listTemplates(registeredTemplates()));
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
    .action(async (flags: RenderFlags) => {
      const text = await renderExamples({
        template: flags.template,
        dataFile: flags.data,
        limit: flags.limit,
        model: flags.model,
        addGenerationPrompt: flags.addGenerationPrompt,
        colour: streams.stdout.isTTY === true,
        templates: registeredTemplates(),
      });
      streams.stdout.write(text);
    });
  return command;
}
