import { bytesFile, type FileSource } from './file-source.js';

/**
 * The files under a URL, read with `fetch` (a model folder served next to a page). A 404 is a
 * missing file; a URL cannot be listed. A relative URL is taken against the page's address.
 */
export function urlSource(base: string | URL): FileSource {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const folder = new URL(base, page);
  if (!folder.pathname.endsWith('/')) folder.pathname += '/';
  const urlOf = (name: string) => new URL(name, folder).href;
  return {
    location: folder.href,
    pathOf: urlOf,
    list: async () => undefined,
    async open(name) {
      const url = urlOf(name);
      const response = await fetch(url);
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
      return bytesFile(url, new Uint8Array(await response.arrayBuffer()));
    },
  };
}
