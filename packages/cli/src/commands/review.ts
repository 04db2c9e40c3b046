import { ReviewSession, serveReview } from '@tunekit/data-tools';
import { Command, InvalidArgumentError } from 'commander';
import { commandLine } from '../data/index.js';
import { integerIn } from '../option-parsers.js';
import type { CliStreams } from '../run-cli.js';

interface ReviewFlags {
  readonly reviewer: string;
  readonly out?: string;
  /** Checked and normalised, still comma-separated (the manifest records the flag as given). */
  readonly labels?: string;
  readonly port: number;
  readonly arbitrate?: string[];
}

/** `tunekit review`: a local page where a named reviewer decides on a model's drafts. */
export function reviewCommand(streams: CliStreams): Command {
  const command: Command = new Command('review')
    .description(
      "Review records on a local page (127.0.0.1 only): accept, edit, reject or label each model draft beside its reference; writes the reviewer's review file with a manifest and never changes the source. With --arbitrate, resolve where reviewers disagree.",
    )
    .argument(
      '<file>',
      'JSONL records: messages, prompt or instruction; draft (or response, completion, output); reference; id',
    )
    .requiredOption('--reviewer <name>', 'who reviews (letters, digits, . _ @ -)', reviewerName)
    .option(
      '--out <file>',
      'the review file (default review-<name>.jsonl, arbitrated-<name>.jsonl with --arbitrate); an existing one is resumed',
    )
    .option('--labels <list>', 'labels a reviewer may give, comma-separated', labelList)
    .option('--port <n>', 'the port to serve on (0: a free one)', integerIn(0, 65535), 0)
    .option(
      '--arbitrate <files...>',
      "two or more reviewers' files: show only the records they disagree on, and write the resolved file",
    )
    .action(async (file: string, flags: ReviewFlags) => {
      const common = {
        source: file,
        reviewer: flags.reviewer,
        labels: flags.labels?.split(','),
        command: commandLine(command),
      };
      const session = flags.arbitrate
        ? await ReviewSession.openArbitration({
            ...common,
            reviews: flags.arbitrate,
            out: flags.out ?? `arbitrated-${flags.reviewer}.jsonl`,
          })
        : await ReviewSession.open({
            ...common,
            out: flags.out ?? `review-${flags.reviewer}.jsonl`,
          });
      const server = await serveReview(session, { port: flags.port });
      const write = (line: string) => streams.stdout.write(`${line}\n`);
      write(
        `${session.mode === 'arbitrate' ? 'Arbitrating' : 'Reviewing'} ${file} as ${session.reviewer}: ${summary(session)}`,
      );
      write(`Open ${server.url} (Ctrl-C when done)`);
      await untilStopped();
      await server.close();
      await session.written();
      write(`${session.out}: ${summary(session)}`);
    });
  return command;
}

function summary(session: ReviewSession): string {
  const p = session.progress();
  const counts = Object.entries(p.verdicts).map(([verdict, n]) => `${n} ${verdict}`);
  return `${p.decided} of ${p.total} decided (${counts.join(', ')})`;
}

/** Resolves on Ctrl-C or a TERM signal. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

function reviewerName(value: string): string {
  if (!/^[\p{L}\p{N}_.@-]+$/u.test(value))
    throw new InvalidArgumentError(
      'Use letters, digits and . _ @ - (the name is part of a file name).',
    );
  return value;
}

function labelList(value: string): string {
  const labels = value
    .split(',')
    .map((label) => label.trim())
    .filter((label) => label !== '');
  if (labels.length === 0 || new Set(labels).size !== labels.length || labels.length > 9)
    throw new InvalidArgumentError('Expected 1 to 9 distinct labels, comma-separated.');
  return labels.join(',');
}
