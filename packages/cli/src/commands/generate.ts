import { generateText } from '@tunekit/trainer';
import { Command } from 'commander';
import { ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP } from '../allow-nonfinite.js';
import { collect, integerIn, numberIn } from '../option-parsers.js';
import { loadFolderPlugins, pluginOption } from '../plugins/index.js';
import { type CliStreams, stderrLines } from '../run-cli.js';

interface GenerateFlags {
  readonly model: string;
  readonly prompt: string;
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly topK: number;
  readonly repetitionPenalty: number;
  readonly seed: number;
  readonly backend?: string;
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
    .requiredOption('-p, --prompt <text>', 'the text to continue')
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
    .option('--backend <id>', 'backend to run on (default: the best available one)')
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
  const streamed = flags.stream && !flags.json;
  const result = await generateText({
    ...flags,
    container: await loadFolderPlugins(flags.model, flags.plugin, stderrLines(streams)),
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
    onText: streamed ? write : undefined,
    warn: (line) => streams.stderr.write(`${line}\n`),
  });
  if (flags.json) {
    write(
      `${JSON.stringify({
        prompt: flags.prompt,
        prompt_ids: result.promptIds,
        generated_ids: result.tokens,
        text: result.text,
        finish_reason: result.finishReason,
      })}\n`,
    );
    return;
  }
  write(streamed ? '\n' : `${result.text}\n`);
}
