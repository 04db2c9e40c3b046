import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '@tunekit/core';
import { dataStats, patternOf, readDataSet, statsHtml, statsText } from '@tunekit/data-tools';
import { Command } from 'commander';
import { collect, integerIn, numberIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';
import { type DataFlags, dataContainer, readOptions, tokenCounting } from './data-context.js';
import { dataOptions } from './data-options.js';
import { checkOutputs } from './outputs.js';

interface StatsFlags extends DataFlags {
  readonly model?: string;
  readonly template?: string;
  readonly maxLength?: number;
  readonly citationPattern?: string[];
  readonly refusalPattern?: string[];
  readonly taskField?: string;
  readonly personaField?: string;
  readonly nearThreshold?: number;
  readonly json?: boolean;
  readonly html?: string;
}

/** `tunekit data stats`: what a data set holds, as a table, JSON or an HTML page. */
export function statsCommand(streams: CliStreams): Command {
  return dataOptions(
    new Command('stats')
      .description(
        'Records per format, role, task and persona; answer and token lengths; citation, refusal and duplicate rates; invalid records.',
      )
      .argument('<files...>', 'data files (JSONL or JSON, globs allowed)')
      .option(
        '-m, --model <folder|hub-id>',
        "count tokens with this model's tokenizer and chat template",
      )
      .option(
        '--template <id|file>',
        "the template records are rendered with (default: the model's own, else chatml)",
      )
      .option(
        '--max-length <n>',
        'count the records longer than this many tokens (needs --model)',
        integerIn(1),
      )
      .option(
        '--citation-pattern <regex>',
        'what counts as citing a source (repeatable; default URLs, [n], Source:)',
        collect,
      )
      .option(
        '--refusal-pattern <regex>',
        'what counts as a refusal (repeatable; default common English refusals)',
        collect,
      )
      .option(
        '--task-field <field>',
        'the record field naming its task (default task, or category)',
      )
      .option(
        '--persona-field <field>',
        'the record field naming its persona (default persona, else the system message)',
      )
      .option(
        '--near-threshold <j>',
        'Jaccard similarity of near-duplicates',
        numberIn(0, 1, true),
        0.8,
      )
      .option('--json', 'print the statistics as JSON')
      .option('--html <file>', 'also write them as an HTML page with histograms'),
  ).action(async (files: string[], flags: StatsFlags) => {
    if (flags.maxLength !== undefined && flags.model === undefined)
      throw new UserError('--max-length counts tokens: give --model too');
    await checkOutputs({ '--html': flags.html }, files, flags);
    const container = await dataContainer(flags);
    const data = await readDataSet(files, readOptions(container, flags));
    const stats = dataStats(data, {
      tokens:
        flags.model === undefined
          ? undefined
          : await tokenCounting(container, flags.model, flags.template),
      maxLength: flags.maxLength,
      citationPatterns: flags.citationPattern?.map((p) => patternOf(p, '--citation-pattern')),
      refusalPatterns: flags.refusalPattern?.map((p) => patternOf(p, '--refusal-pattern')),
      taskField: flags.taskField,
      personaField: flags.personaField,
      near: { threshold: flags.nearThreshold },
    });
    const write = (line: string) => streams.stdout.write(`${line}\n`);
    if (flags.json) write(JSON.stringify(stats, null, 2));
    else for (const line of statsText(stats)) write(line);
    if (flags.html !== undefined) {
      await mkdir(dirname(flags.html), { recursive: true });
      await writeFile(flags.html, statsHtml(stats));
      streams.stderr.write(`wrote ${flags.html}\n`);
    }
  });
}
