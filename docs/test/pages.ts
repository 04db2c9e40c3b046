import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/ and the repository root. */
export const DOCS_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = join(DOCS_DIR, '..');

const NOT_PAGES = new Set(['node_modules', '.vitepress', 'samples', 'generate', 'test']);

/** Every page of the site: its path relative to docs/ and its Markdown. */
export async function readPages(): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(DOCS_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => relative(DOCS_DIR, join(entry.parentPath, entry.name)))
    .filter((path) => !NOT_PAGES.has(path.split('/')[0]))
    .sort();
  return Promise.all(
    files.map(async (path) => ({ path, text: await readFile(join(DOCS_DIR, path), 'utf8') })),
  );
}

/** The fenced code blocks of a page in `lang`, in order. */
export function codeBlocks(markdown: string, lang: string): string[] {
  const fence = new RegExp(`^\`\`\`${lang}(?:[ \\t][^\\n]*)?\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...markdown.matchAll(fence)].map((match) => match[1]);
}
