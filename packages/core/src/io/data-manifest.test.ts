import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  dataManifestPath,
  describeDataInput,
  readDataManifest,
  writeDataManifest,
} from './data-manifest.js';

const work = await mkdtemp(join(tmpdir(), 'tunekit-manifest-'));
afterAll(() => rm(work, { recursive: true, force: true }));

describe('data manifests', () => {
  it('are written beside the file with its hash, and chain through inputs', async () => {
    const source = join(work, 'source.jsonl');
    await writeFile(source, '{"text": "a"}\n');
    const made = join(work, 'made.jsonl');
    await writeFile(made, '{"text": "a"}\n{"text": "a"}\n');
    const written = await writeDataManifest(made, {
      records: 2,
      format: 'text',
      command: 'twice',
      inputs: [await describeDataInput(source)],
      details: { copies: 2 },
    });
    expect(dataManifestPath(made)).toBe(`${made}.manifest.json`);
    expect(JSON.parse(await readFile(`${made}.manifest.json`, 'utf8'))).toEqual(written);
    expect(written).toMatchObject({
      tunekit_data_manifest: 1,
      file: 'made.jsonl',
      sha256: createHash('sha256').update('{"text": "a"}\n{"text": "a"}\n').digest('hex'),
      inputs: [
        { path: source, sha256: createHash('sha256').update('{"text": "a"}\n').digest('hex') },
      ],
    });
    expect(await readDataManifest(source)).toBeUndefined();
    const described = await describeDataInput(made);
    expect(described.manifest).toEqual(written);
  });

  it('say when a file changed after its manifest was written', async () => {
    const file = join(work, 'edited.jsonl');
    await writeFile(file, '{"text": "a"}\n');
    await writeDataManifest(file, { records: 1, format: 'text', command: 'x', inputs: [] });
    await writeFile(file, '{"text": "b"}\n');
    const input = await describeDataInput(file);
    expect(input.manifest).toBeUndefined();
    expect(input.manifest_outdated).toBe(true);
  });
});
