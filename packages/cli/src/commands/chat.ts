import { createInterface } from 'node:readline';
import { TurnTooLongError } from '@tunekit/templates';
import { describeTurnTooLong, openChatSession, type WindowSplit } from '@tunekit/trainer';
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
import { TEMPLATE_FLAG_HELP } from '../template-flag.js';
import { readToolsFile } from '../tools-file.js';

interface ChatFlags {
  readonly model: string;
  readonly adapter?: string[];
  readonly router?: string;
  readonly system?: string;
  readonly tools?: string;
  readonly template?: string;
  readonly maxNewTokens?: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  readonly backend?: string;
  readonly backendOption?: BackendOptionFlags;
  readonly allowNonfinite?: boolean;
  readonly plugin?: string[];
}

const HELP = 'type a message; /reset forgets the conversation, /exit (or end of input) quits';

/** `tunekit chat`: an interactive conversation with a model (and adapter), answers streamed. */
export function chatCommand(streams: CliStreams): Command {
  return new Command('chat')
    .description('Chat with a model, or a model with an adapter; reads lines from stdin.')
    .requiredOption(
      '-m, --model <folder|hub-id>',
      'the (base) model folder, or a Hugging Face Hub id',
    )
    .option('-a, --adapter <folder|name=folder>', ADAPTER_FLAG_HELP, collect)
    .option('--router <router.yaml>', ROUTER_FLAG_HELP)
    .option('-s, --system <text>', 'the system message the conversation starts with')
    .option(
      '--tools <file.json>',
      'tools the model may call: a JSON list of OpenAI/HF tool schemas, given to the chat template as transformers gives `tools` (or described in the system message, as training does)',
    )
    .option('--template <id|file>', TEMPLATE_FLAG_HELP)
    .option(
      '--max-new-tokens <n>',
      "most tokens per answer (default 256, or half the model's positions when fewer; a length that leaves the conversation no room is cut to that half)",
      integerIn(1),
    )
    .option('--temperature <t>', 'sampling temperature; 0 is greedy', numberIn(0), 0)
    .option(
      '--top-p <p>',
      'sample from the likeliest tokens up to this mass',
      numberIn(0, 1, true),
      1,
    )
    .option('--seed <n>', 'seed for sampling', integerIn(0, 2 ** 32 - 1), 0)
    .addOption(backendFlag())
    .addOption(backendOptionFlag())
    .option(ALLOW_NONFINITE_FLAG, ALLOW_NONFINITE_HELP)
    .addOption(pluginOption("those the adapter's (or model's) training record lists"))
    .action((flags: ChatFlags) => chat(flags, streams, streams.stdin ?? process.stdin));
}

async function chat(
  flags: ChatFlags,
  streams: CliStreams,
  input: NonNullable<CliStreams['stdin']>,
): Promise<void> {
  const tools = flags.tools === undefined ? [] : await readToolsFile(flags.tools);
  const { adapter: adapterFlags, router: routerFile, ...rest } = flags;
  const { pluginFolder, ...choice } = await adapterChoice(adapterFlags, routerFile);
  const chat = await openChatSession({
    ...rest,
    ...choice,
    backendOptions: flags.backendOption,
    container: await loadFolderPlugins(
      pluginFolder ?? flags.model,
      flags.plugin,
      stderrLines(streams),
    ),
    tools,
    // which adapter answers each message, on stderr so that stdout holds the answers alone
    onRoute: (route) => streams.stderr.write(`${describeRoute(route)}\n`),
    generation: {
      max_new_tokens: flags.maxNewTokens,
      do_sample: flags.temperature > 0,
      temperature: flags.temperature,
      top_p: flags.topP,
    },
    warn: (line) => streams.stderr.write(`${line}\n`),
  });
  const { session, window } = chat;
  const write = (text: string) => streams.stdout.write(text);
  const interactive = input.isTTY === true;
  const lines = createInterface({ input, terminal: false });
  if (interactive)
    write(`chatting with ${pluginFolder ?? flags.model} (${chat.template}); ${HELP}\n> `);
  try {
    for await (const line of lines) {
      const text = line.trim();
      if (text === '/exit') break;
      if (text === '/reset') {
        session.reset();
        write('(conversation reset)\n');
      } else if (text !== '') {
        await replyOrRefuse(() => session.reply(text, write), window, streams);
      }
      if (interactive) write('> ');
    }
  } finally {
    lines.close();
    await chat.close();
  }
}

/** Answers a line; one that cannot fit the model's window is refused and the session goes on. */
async function replyOrRefuse(
  reply: () => Promise<string>,
  window: WindowSplit,
  streams: CliStreams,
): Promise<void> {
  try {
    await reply();
    streams.stdout.write('\n');
  } catch (error) {
    if (!(error instanceof TurnTooLongError)) throw error;
    streams.stderr.write(`error: ${describeTurnTooLong(error, window)}\n`);
  }
}
