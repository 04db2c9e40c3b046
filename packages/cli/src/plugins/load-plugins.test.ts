import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findPlugins } from './load-plugins.js';

const root = await mkdtemp(join(tmpdir(), 'tunekit-find-plugins-'));
const configs = join(root, 'configs');
const plugin = join(root, 'probe.js');
await mkdir(configs);
await writeFile(plugin, '');

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findPlugins', () => {
  it("lists a plugin named twice once, as the first source wrote it, and leaves tunekit's own to loadPlugins", () => {
    const found = findPlugins([
      {
        names: ['../probe.js', '@tunekit/peft-lora'],
        origin: 'plugins: in c.yaml',
        from: [configs],
      },
      { names: ['./probe.js'], origin: '--plugin', from: [root] },
    ]);
    expect(found).toEqual([
      { specifier: '../probe.js', url: pathToFileURL(plugin).href, recorded: plugin },
    ]);
  });

  it("skips a record's plugin that no folder has, with a warning, so that --plugin can provide it", () => {
    const warnings: string[] = [];
    const found = findPlugins([
      {
        names: ['tunekit-peft-gone'],
        origin: 'plugins: in adapter/training_record.json',
        from: [configs],
        onMissing: (message) => warnings.push(message),
      },
      { names: ['./probe.js'], origin: '--plugin', from: [root] },
    ]);
    expect(found.map((p) => p.recorded)).toEqual([plugin]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^plugin 'tunekit-peft-gone' \(plugins: in adapter\/training_record.json\) not found; looked for /,
    );
  });

  it('still fails on a missing plugin that a config or --plugin names', () => {
    expect(() =>
      findPlugins([{ names: ['tunekit-peft-gone'], origin: '--plugin', from: [configs] }]),
    ).toThrow("plugin 'tunekit-peft-gone' (--plugin) not found");
  });
});
