import { Command } from 'commander';
import { packageVersion } from './package-version.js';
import type { CliStreams } from './run-cli.js';

type CommandFactory = (streams: CliStreams) => Command;

/**
 * Every command, loaded on demand: a command's module imports what its work needs (a backend with
 * onnxruntime, the trainer, PEFT methods), so only the command that runs is loaded, and
 * `tunekit template render` does not pay for `tunekit train`'s imports. In the order help lists them.
 */
const COMMANDS = {
  train: async () => (await import('./commands/train.js')).trainCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  chat: async () => (await import('./commands/chat.js')).chatCommand,
  generate: async () => (await import('./commands/generate.js')).generateCommand,
  embed: async () => (await import('./commands/embed.js')).embedCommand,
  merge: async () => (await import('./commands/merge.js')).mergeCommand,
  quantize: async () => (await import('./commands/quantize.js')).quantizeCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  compare: async () => (await import('./commands/compare.js')).compareCommand,
  data: async () => (await import('./commands/data.js')).dataCommand,
  review: async () => (await import('./commands/review.js')).reviewCommand,
  template: async () => (await import('./commands/template.js')).templateCommand,
  'export-config': async () => (await import('./commands/export-config.js')).exportConfigCommand,
} satisfies Record<string, () => Promise<CommandFactory>>;

/**
 * The `tunekit` program for `argv` (as in `process.argv`): the command `argv` names, or every
 * command when it names none it knows (help, an unknown command); it throws instead of exiting
 * (see `runCli`).
 */
export async function createProgram(
  streams: CliStreams,
  argv: readonly string[] = [],
): Promise<Command> {
  const program = new Command('tunekit')
    .description('Fine-tune and run language models from Hugging Face folders.')
    .version(packageVersion())
    .option('--verbose', 'print stack traces with errors')
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  // the first word that is not an option names the command (tunekit's own options take no value)
  const named = argv.slice(2).find((arg) => !arg.startsWith('-'));
  const names = Object.keys(COMMANDS) as (keyof typeof COMMANDS)[];
  const known = names.find((name) => name === named);
  for (const name of known ? [known] : names) {
    const command = (await COMMANDS[name]())(streams);
    // addCommand (unlike command()) does not pass the output and exit settings on by itself, and a
    // factory's subcommands were made before their parent had them
    program.addCommand(inheritSettings(command, program));
  }
  return program;
}

/** `command` and its subcommands, all levels, with `parent`'s output and exit settings. */
function inheritSettings(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(sub, command);
  return command;
}
