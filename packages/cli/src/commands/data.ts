import { Command } from 'commander';
import {
  agreementCommand,
  augmentCommand,
  convertCommand,
  dedupeCommand,
  filterCommand,
  hardExamplesCommand,
  lineageCommand,
  mixCommand,
  refusalsCommand,
  selfInstructCommand,
  splitCommand,
  statsCommand,
} from '../data/index.js';
import type { CliStreams } from '../run-cli.js';

/** `tunekit data <command>`: quality control and preparation of training data. */
export function dataCommand(streams: CliStreams): Command {
  const command = new Command('data').description(
    'Inspect and prepare data: stats, dedupe, filter, split, mix, convert, self-instruct, augment, refusals, hard examples, annotator agreement; every file written gets a manifest of where it came from, which lineage follows.',
  );
  for (const sub of [
    statsCommand,
    dedupeCommand,
    filterCommand,
    splitCommand,
    mixCommand,
    convertCommand,
    selfInstructCommand,
    augmentCommand,
    refusalsCommand,
    hardExamplesCommand,
    agreementCommand,
    lineageCommand,
  ])
    command.addCommand(sub(streams));
  return command;
}
