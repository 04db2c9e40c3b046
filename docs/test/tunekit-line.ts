import { PassThrough, Readable } from 'node:stream';
import { runCli } from '@tunekit/cli';
import { parse } from 'shell-quote';

/** A page's shell line as argv for `tunekit`, and the text piped into it, if any. */
export interface TunekitLine {
  readonly args: readonly string[];
  readonly stdin?: string;
}

/**
 * The pages' shell lines are `tunekit ARGS` or `echo TEXT | tunekit ARGS`, so this test runs them
 * in its own process through `runCli`, not one shell and one Node process per line; any other line
 * is an error that names it.
 */
export function parseTunekitLine(line: string): TunekitLine {
  const words = parse(line);
  const isWord = (word: (typeof words)[number]): word is string => typeof word === 'string';
  if (words[0] === 'tunekit' && words.every(isWord)) return { args: words.slice(1) };
  const [echo, text, pipe, command, ...args] = words;
  const isPipe = typeof pipe === 'object' && 'op' in pipe && pipe.op === '|';
  if (echo === 'echo' && isWord(text) && isPipe && command === 'tunekit' && args.every(isWord))
    return { args, stdin: `${text}\n` };
  throw new Error(
    `a shell line this test cannot run: ${line} (it runs "tunekit ..." and "echo TEXT | tunekit ...")`,
  );
}

/** Runs one line in this process; rejects with the command's stderr unless it exits with 0. */
export async function runTunekitLine({ args, stdin }: TunekitLine): Promise<string> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = stdin === undefined ? Readable.from([]) : Readable.from([stdin]);
  const code = await runCli(['node', 'tunekit', ...args], { stdout, stderr, stdin: input });
  const text = (stream: PassThrough) => stream.read()?.toString() ?? '';
  if (code !== 0)
    throw new Error(`tunekit ${args.join(' ')} exited with ${code}:\n${text(stderr)}`);
  return text(stdout);
}
