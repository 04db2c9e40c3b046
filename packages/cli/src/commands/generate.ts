import { UserError } from '@tunekit/core';
import { type GeneratedText, generateRouted, generateText } from '@tunekit/trainer';
import { Command } from 'commander';
import { ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP } from '../allow-nonfinite.js';
import { type BackendOptionFlags, backendFlag, backendOptionFlag } from '../backend-option.js';
import { collect, integerIn, numberIn } from '../option-parsers.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import {
  ADAPTER_FLAG_HELP,
  adapterChoice,
  describeRoute,
  ROUTER_FLAG_HELP,
} from '../router-flags.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface GenerateFlags {
  readonly model: string;
  readonly prompt: string[];
  readonly adapter?: string[];
  readonly router?: string;
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly repetitionPenalty: number;
  readonly seed: number;
  readonly backend?: string;
  readonly backendOption?: BackendOptionFlags;
  readonly stop?: string[];
  readonly stream: boolean;
  readonly json?: boolean;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
}

/** `tunekit generate`: continues a prompt with a model folder or hub id, printing the new text. */
export function generateCommand(streams: CliStreams): Command {
  return new Command('generate')
    .description('Continue a prompt with a causal language model and print the new text.')
    .requiredOption('-m, --model <folder|hub-id>', 'model folder, or a Hugging Face Hub id')
    .requiredOption(
      '-p, --prompt <text>',
      'the text to continue; with --router repeatable, each routed on its own (LoRA and base rows share one batch)',
      collect,
    )
    .option('-a, --adapter <folder|name=folder>', ADAPTER_FLAG_HELP, collect)
    .option('--router <router.yaml>', ROUTER_FLAG_HELP)
    .option('--max-new-tokens <n>', 'most tokens to generate', integerIn(1), 64)
    .option('--temperature <t>', 'sampling temperature; 0 is greedy', numberIn(0), 0)
    .option(
      '--top-p <p>',
      'sample from the likeliest tokens up to this mass',
      numberIn(0, 1, true),
      1,
    )
    .option('--top-k <k>', 'sample from the k likeliest tokens; 0 keeps all', integerIn(0), 0)
    .option(
      '--repetition-penalty <r>',
      'penalty on tokens already present; 1 is none',
      numberIn(0, Infinity, true),
      1,
    )
    .option('--seed <n>', 'seed for sampling', integerIn(0, 2 ** 32 - 1), 0)
    .addOption(backendFlag())
    .addOption(backendOptionFlag())
    .option('--stop <text>', 'stop once the new text contains this (repeatable)', collect)
    .option('--no-stream', 'print the text when it is complete, not token by token')
    .option(
      '--json',
      'print one JSON object: the prompt, its token ids, the generated token ids (with the eos that ended them), the text and why it stopped',
    )
    .option(ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP)
    .addOption(pluginOption("those the model's training record lists"))
    .action((flags: GenerateFlags) => generate(flags, streams));
}

async function generate(flags: GenerateFlags, streams: CliStreams): Promise<void> {
  const write = (text: string) => streams.stdout.write(text);
  const { adapter: adapterFlags, router: routerFile, ...rest } = flags;
  const { pluginFolder, ...choice } = await adapterChoice(adapterFlags, routerFile);
  const options = {
    ...rest,
    ...choice,
    backendOptions: flags.backendOption,
    container: await loadFolderPlugins(
      pluginFolder ?? flags.model,
      flags.plugin,
      stderrLines(streams),
    ),
    // temperature 0 means greedy decoding
    generation: {
      max_new_tokens: flags.maxNewTokens,
      do_sample: flags.temperature > 0,
      temperature: flags.temperature,
      top_k: flags.topK,
      top_p: flags.topP,
      repetition_penalty: flags.repetitionPenalty,
      stop_strings: flags.stop,
    },
    warn: (line: string) => streams.stderr.write(`${line}\n`),
  };
  if (choice.router && flags.prompt.length > 1) {
    // several prompts: one line each (a JSON object with --json), in the order given
    const rows = await generateRouted({ ...options, router: choice.router, prompts: flags.prompt });
    rows.forEach((row, i) => {
      printRow(flags.prompt[i], row, flags.json === true, write);
    });
    return;
  }
  if (flags.prompt.length > 1)
    throw new UserError('-p, --prompt: give one prompt, or several with --router');
  const streamed = flags.stream && !flags.json;
  const result = await generateText({
    ...options,
    prompt: flags.prompt[0],
    onText: streamed ? write : undefined,
  });
  if (result.route && !flags.json) streams.stderr.write(`${describeRoute(result.route)}\n`);
  if (flags.json || !streamed) printRow(flags.prompt[0], result, flags.json === true, write);
  else write('\n');
}

/** The text, or with --json one object: the prompt, its ids, the new ids, the text, why it stopped, the route. */
function printRow(
  prompt: string,
  row: GeneratedText,
  json: boolean,
  write: (text: string) => void,
): void {
  if (!json) {
    write(`${row.text}\n`);
    return;
  }
  write(
    `${JSON.stringify({
      prompt,
      prompt_ids: row.promptIds,
      generated_ids: row.tokens,
      text: row.text,
      finish_reason: row.finishReason,
      ...(row.route && { adapter: row.route.adapter, routed_by: row.route.by }),
    })}\n`,
  );
}
