import { CommanderError } from 'commander';
import { createProgram } from './program.js';
import { reportError } from './report-error.js';

/** Where the CLI reads and writes; the process's streams in `main.ts`, others in tests. */
export interface CliStreams {
  /** `isTTY` as on process.stdout: colour and progress bars only on a terminal. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Where `tunekit chat` reads the user's lines (prompting only on a terminal); default process.stdin. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

/** A line-writer onto the streams' stderr, for warnings. */
export function stderrLines(streams: CliStreams): (line: string) => void {
  return (line) => streams.stderr.write(`${line}\n`);
}

const processStreams: CliStreams = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
};

/**
 * Runs `tunekit` on `argv` (as in `process.argv`) and returns the exit code: 0 on success, 1 for a
 * bad command line or a `UserError`, 2 for a bug (see `reportError`).
 */
export async function runCli(argv: readonly string[], streams = processStreams): Promise<number> {
  const program = await createProgram(streams, argv);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    // commander has printed its own errors (unknown option, invalid value) and --help/--version.
    if (error instanceof CommanderError) return error.exitCode;
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    return reportError(error, verbose, (text) => streams.stderr.write(text));
  }
}
