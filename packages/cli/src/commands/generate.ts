import {
  eosIds,
  type GenerationConfig,
  Generator,
  resolveBackend,
  type Tokenizer,
} from '@tunekit/core';
import { loadInferenceModel } from '@tunekit/trainer';
import { Command } from 'commander';
import {
  ALLOW_NONFINITE_FLAG,
  ALLOW_NONFINITE_HELP,
  nonFiniteOptions,
} from '../allow-nonfinite.js';
import { collect, integerIn, numberIn } from '../option-parsers.js';
import {
  findPlugins,
  flagPlugins,
  loadPlugins,
  pluginOption,
  recordPlugins,
} from '../plugins/index.js';
import type { CliStreams } from '../run-cli.js';
import { TextStream } from '../text-stream.js';

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
  const container = await loadPlugins(
    findPlugins([await recordPlugins(flags.model), flagPlugins(flags.plugin)]),
  );
  const loaded = await loadInferenceModel(container, flags, nonFiniteOptions(flags, streams));
  const { model, tokenizer } = loaded;
  const eos = eosIds(loaded.generationConfig, tokenizer);
  const prompt = tokenizer.encode(flags.prompt);
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  const write = (text: string) => streams.stdout.write(text);
  const stream = new TextStream(decode, write, flags.stop);

  const backend = await resolveBackend(container, flags.backend);
  try {
    const generator = new Generator(model, backend, {
      maxLength: prompt.length + flags.maxNewTokens,
    });
    const [row] = await generator.generate([prompt], generationConfig(flags, eos, tokenizer), {
      seed: flags.seed,
      decode,
      onToken: (_, token) => {
        // an eos token ends the text and is not part of it
        if (flags.stream && !flags.json && !eos.has(token)) stream.push(token);
      },
    });
    generator.dispose();
    const text = row.text ?? decode(row.tokens);
    if (flags.json) {
      const result = {
        prompt: flags.prompt,
        prompt_ids: prompt,
        generated_ids: row.tokens,
        text,
        finish_reason: row.finishReason,
      };
      write(`${JSON.stringify(result)}\n`);
      return;
    }
    stream.end(text);
    write('\n');
  } finally {
    await backend.dispose();
  }
}

/** The flags as transformers' generation settings; temperature 0 means greedy decoding. */
function generationConfig(
  flags: GenerateFlags,
  eos: ReadonlySet<number>,
  tokenizer: Tokenizer,
): GenerationConfig {
  return {
    max_new_tokens: flags.maxNewTokens,
    do_sample: flags.temperature > 0,
    temperature: flags.temperature,
    top_k: flags.topK,
    top_p: flags.topP,
    repetition_penalty: flags.repetitionPenalty,
    eos_token_id: [...eos],
    pad_token_id: tokenizer.padTokenId,
    stop_strings: flags.stop,
  };
}
