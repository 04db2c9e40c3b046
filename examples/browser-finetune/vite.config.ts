import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// The page loads the repository's bundled model and the quickstart data by URL: the dev and preview
// servers serve them from the repository, and the build copies them into dist/.
const ROOT = join(import.meta.dirname, '../..');
const ASSETS: Readonly<Record<string, string>> = {
  'models/tunekit-tiny-chat': join(ROOT, 'models/tunekit-tiny-chat'),
  data: join(ROOT, 'examples/quickstart/data'),
};

/** Every file of the asset folders (not their subfolders), by URL path. */
function assetFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [url, dir] of Object.entries(ASSETS))
    for (const name of readdirSync(dir))
      if (statSync(join(dir, name)).isFile()) files.set(`${url}/${name}`, join(dir, name));
  return files;
}

function bundledAssets(): Plugin {
  return {
    name: 'tunekit-bundled-assets',
    configureServer(server) {
      const files = assetFiles();
      server.middlewares.use((req, res, next) => {
        const file = files.get(decodeURIComponent(req.url?.split('?')[0] ?? '').slice(1));
        if (file) res.end(readFileSync(file));
        else next();
      });
    },
    generateBundle() {
      for (const [fileName, file] of assetFiles())
        this.emitFile({ type: 'asset', fileName, source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  // No fallback to index.html for unknown paths: a model folder's optional files must 404.
  appType: 'mpa',
  // Workspace packages resolve to their TypeScript source; `browser` picks their browser files
  // (a string names a URL, not a path on disk; no Dawn for Node).
  resolve: { conditions: ['@tunekit/source', 'module', 'browser', 'development|production'] },
  build: { target: 'es2022' },
  plugins: [bundledAssets()],
});
