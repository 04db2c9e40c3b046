import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePlugin } from './resolve-plugin.js';

const root = await mkdtemp(join(tmpdir(), 'tunekit-resolve-plugin-'));
const project = join(root, 'project');
const configs = join(project, 'configs');
const elsewhere = join(root, 'elsewhere');

async function write(path: string, text: string | object): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof text === 'string' ? text : JSON.stringify(text));
  return path;
}

const url = (path: string) => pathToFileURL(path).href;

// an ESM-only package (its exports map has only `import`), installed in the project
const esmOnly = await write(join(project, 'node_modules/tunekit-esm/lib/plugin.js'), '');
await write(join(project, 'node_modules/tunekit-esm/package.json'), {
  name: 'tunekit-esm',
  type: 'module',
  exports: { '.': { import: './lib/plugin.js' } },
});
// the same name installed in the working directory too: the config's folder wins
const cwdCopy = await write(join(elsewhere, 'node_modules/tunekit-esm/index.js'), '');
await write(join(elsewhere, 'node_modules/tunekit-esm/package.json'), { name: 'tunekit-esm' });
// only a CommonJS entry: not for import
await write(join(elsewhere, 'node_modules/tunekit-cjs/package.json'), {
  name: 'tunekit-cjs',
  exports: { require: './index.cjs' },
});
// a plugin folder with a main, next to the configs
const folderPlugin = await write(join(project, 'my-plugin/src/main.js'), '');
await write(join(project, 'my-plugin/package.json'), { name: 'my-plugin', main: 'src/main.js' });

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('resolvePlugin', () => {
  it("finds a package from the config's folder (in a parent's node_modules), by its exports map", () => {
    expect(resolvePlugin('tunekit-esm', [configs, elsewhere], 'plugins: in c.yaml')).toEqual({
      specifier: 'tunekit-esm',
      url: url(esmOnly),
      recorded: 'tunekit-esm',
    });
  });

  it('falls back to the working directory, and resolves nothing relative to the CLI', () => {
    expect(resolvePlugin('tunekit-esm', [elsewhere], '--plugin').url).toBe(url(cwdCopy));
    // commander is one of the CLI's own dependencies, but not the project's
    expect(() => resolvePlugin('commander', [configs], '--plugin')).toThrow(/not found/);
  });

  it('names every place it looked, and the npm install that fixes it', () => {
    expect(() =>
      resolvePlugin('@acme/peft-ia3/sub', [configs, elsewhere], 'plugins: in c.yaml'),
    ).toThrow(
      `plugin '@acme/peft-ia3/sub' (plugins: in c.yaml) not found; looked for ${[
        ...[configs, project, root].map((d) => join(d, 'node_modules/@acme/peft-ia3')),
      ].join(', ')}, `,
    );
    expect(() => resolvePlugin('nope', [configs], '--plugin')).toThrow(
      /\/node_modules\/nope; install it: npm install nope$/,
    );
  });

  it('takes paths relative to each folder in turn (a file, or a package folder), recorded absolute', () => {
    expect(resolvePlugin('../my-plugin', [configs], 'plugins: in c.yaml')).toEqual({
      specifier: '../my-plugin',
      url: url(folderPlugin),
      recorded: join(project, 'my-plugin'),
    });
    expect(resolvePlugin('./my-plugin/src/main.js', [configs, project], '--plugin')).toEqual({
      specifier: './my-plugin/src/main.js',
      url: url(folderPlugin),
      recorded: folderPlugin,
    });
    expect(resolvePlugin(folderPlugin, [elsewhere], '--plugin').recorded).toBe(folderPlugin);
    expect(() => resolvePlugin('./gone.js', [configs, elsewhere], '--plugin')).toThrow(
      `plugin './gone.js' (--plugin) not found; looked for ${join(configs, 'gone.js')}, ${join(elsewhere, 'gone.js')}`,
    );
  });

  it('says why a package that is installed cannot be imported', () => {
    expect(() => resolvePlugin('tunekit-cjs', [elsewhere], '--plugin')).toThrow(
      /^plugin 'tunekit-cjs' \(--plugin\): No "exports" main defined in .*tunekit-cjs\/package\.json/,
    );
  });
});
