import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContainer } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatml } from './builtins/index.js';
import { plugin } from './plugin.js';
import { resolveChatTemplate } from './resolve-chat-template.js';

const container = createContainer([plugin]);
const HI = [{ role: 'user' as const, content: 'Hi' }];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-resolve-template-'));
  await writeFile(
    join(dir, 'turns.jinja'),
    '{% for m in messages %}[{{ m.role }}] {{ m.content }}{% endfor %}',
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveChatTemplate', () => {
  it('resolves a registered id, and lists the registered ids for an unknown one', async () => {
    expect(await resolveChatTemplate(container, 'chatml')).toBe(chatml);
    await expect(resolveChatTemplate(container, 'chatmlx')).rejects.toThrow(
      /unknown chat template 'chatmlx'; registered: .*chatml/,
    );
  });

  it('reads a template file relative to baseDir, and names the file it cannot read', async () => {
    const template = await resolveChatTemplate(container, 'turns.jinja', dir);
    expect(template.render(HI).text).toBe('[user] Hi');
    await expect(resolveChatTemplate(container, 'missing.jinja', dir)).rejects.toThrow(
      `${join(dir, 'missing.jinja')}: file not found`,
    );
  });
});
