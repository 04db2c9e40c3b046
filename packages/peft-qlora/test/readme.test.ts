import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// The README's TypeScript example, run as written against this package's source.
it("runs the README's example", async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toContain('quantize4bit(');
  const source = fileURLToPath(new URL('../src/index.ts', import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'peft-qlora-readme-'));
  try {
    const file = join(dir, 'example.ts');
    await writeFile(
      file,
      `${code?.replace("'@tunekit/peft-qlora'", JSON.stringify(source))}\nexport { weight, approx };\n`,
    );
    const { weight, approx } = await import(file);
    expect(approx).toHaveLength(weight.length);
    for (let i = 0; i < weight.length; i++)
      expect(Math.abs(approx[i] - weight[i])).toBeLessThan(0.1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
