import { Command } from 'commander';
import { chatCommand } from './commands/chat.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { generateCommand } from './commands/generate.js';
import { mergeCommand } from './commands/merge.js';
import { templateCommand } from './commands/template.js';
import { trainCommand } from './commands/train.js';
import { packageVersion } from './package-version.js';
import type { CliStreams } from './run-cli.js';

/** The `tunekit` program with every command; it throws instead of exiting (see `runCli`). */
export function createProgram(streams: CliStreams): Command {
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
  // addCommand (unlike command()) does not pass the output and exit settings on by itself.
  for (const command of [
    trainCommand(streams),
    evalCommand(streams),
    chatCommand(streams),
    generateCommand(streams),
    mergeCommand(streams),
    exportCommand(streams),
    templateCommand(streams),
  ]) {
    program.addCommand(command.copyInheritedSettings(program));
  }
  return program;
}
