import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { codeBlocks, REPO_DIR, readPages } from './pages.js';
import { parseTunekitLine, runTunekitLine, type TunekitLine } from './tunekit-line.js';

const scratch = await mkdtemp(join(tmpdir(), 'tunekit-docs-sh-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/**
 * The README's workspace commands (install, quickstart, test): the CI job that runs this test runs
 * them itself, so a page shows them as they are and this test checks they are the README's.
 */
const WORKSPACE_COMMAND = /^npx --yes pnpm@12\.4\.2 /;

/**
 * Training in a test is cut to two steps and one evaluation (after them) with two generated
 * answers, whatever a page's job says.
 */
const CUT = ['max_steps=2', 'eval_on_start=false', 'generation.num_samples=2'];

function shortened({ args, stdin }: TunekitLine): TunekitLine {
  if (args[0] !== 'train') return { args, stdin };
  const [, config, ...rest] = args;
  // a router's classifier (task: router) trains no model: it is quick, and has none of these keys
  if (/^task:\s*router\b/m.test(readFileSync(config, 'utf8'))) return { args, stdin };
  return { args: ['train', config, ...CUT.flatMap((set) => ['--set', set]), ...rest], stdin };
}

const pages = (await readPages())
  .map((page) => ({ ...page, blocks: codeBlocks(page.text, 'sh') }))
  .filter((page) => page.blocks.length > 0);

/** A page's shell lines that this test runs, in order. */
function runnableLines(blocks: readonly string[]): string[] {
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .filter((line) => !WORKSPACE_COMMAND.test(line));
}

it('pages show the README’s workspace commands exactly as the README does', async () => {
  const readme = await readFile(join(REPO_DIR, 'README.md'), 'utf8');
  const readmeLines = new Set(codeBlocks(readme, 'sh').flatMap((block) => block.split('\n')));
  const shown = pages.flatMap((page) =>
    page.blocks
      .flatMap((block) => block.split('\n'))
      .filter((line) => WORKSPACE_COMMAND.test(line)),
  );
  expect(shown.length).toBeGreaterThan(0);
  for (const line of shown) expect(readmeLines).toContain(line);
});

// The pages' shell blocks run in order, Getting started first (later guides use its adapter, as
// their text says), in one folder that holds the repository's examples/, models/ and docs/. Each
// line runs `tunekit` in this process (see tunekit-line.ts), in that folder.
const cwd = join(scratch, 'project');
const startDir = process.cwd();
beforeAll(async () => {
  await mkdir(cwd, { recursive: true });
  for (const folder of ['examples', 'models', 'docs'])
    await symlink(join(REPO_DIR, folder), join(cwd, folder));
  process.chdir(cwd);
});
afterAll(() => process.chdir(startDir));

const runnable = pages
  .map((page) => [page.path, runnableLines(page.blocks)] as const)
  .filter(([, lines]) => lines.length > 0)
  .sort(([a], [b]) => Number(b === 'getting-started.md') - Number(a === 'getting-started.md'));

it.each(runnable)('the shell samples of %s run', async (_path, lines) => {
  for (const line of lines) await runTunekitLine(shortened(parseTunekitLine(line)));
});
