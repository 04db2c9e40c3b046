import { dirname, join, normalize } from 'node:path';
import { expect, it } from 'vitest';
import { readPages } from './pages.js';

// VitePress fails the build on a link to a missing page; this checks what it does not: that
// every #anchor names a heading of the page it points to.

/** A heading's anchor as VitePress makes it (its default slugify of @mdit-vue/shared). */
function slug(heading: string): string {
  return heading
    .replaceAll('`', '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036F]/g, '')
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}

const pages = await readPages();
const anchors = new Map(
  pages.map((page) => [
    page.path,
    new Set([...page.text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]))),
  ]),
);
const links = pages.flatMap((page) =>
  [...page.text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => {
      const [path, anchor] = target.split('#');
      const page2 = path === '' ? page.path : normalize(join(dirname(page.path), path));
      return [page.path, target, page2, anchor] as const;
    }),
);

it('the pages link to one another', () => {
  expect(links.length).toBeGreaterThan(10);
});

it.each(links)('%s → %s: the page and its anchor exist', (_from, _target, path, anchor) => {
  expect(anchors.has(path), `no page ${path}`).toBe(true);
  if (anchor !== undefined) expect(anchors.get(path)).toContain(anchor);
});
