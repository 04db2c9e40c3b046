import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '@tunekit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadYamlConfig } from './yaml-config.js';

const schema = z.strictObject({
  model: z.string(),
  training: z.strictObject({
    learning_rate: z.number().positive(),
    num_train_epochs: z.number().default(3),
  }),
  datasets: z.array(z.strictObject({ path: z.string() })).default([]),
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tunekit-yaml-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(text: string): Promise<string> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  await writeFile(file, text);
  return file;
}

describe('loadYamlConfig', () => {
  it('validates and fills defaults', async () => {
    const file = await configFile('model: ./m\ntraining:\n  learning_rate: 2.0e-4\n');
    expect(await loadYamlConfig(file, schema)).toEqual({
      model: './m',
      training: { learning_rate: 2e-4, num_train_epochs: 3 },
      datasets: [],
    });
  });

  it('names the file, line and field of a bad value and of an unknown key', async () => {
    const file = await configFile('model: ./m\ntraining:\n  learning_rate: fast\n  warmup: 3\n');
    const error = await loadYamlConfig(file, schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(
      new RegExp(`${file}:3: training.learning_rate: .*number`),
    );
    expect((error as Error).message).toMatch(new RegExp(`${file}:4: training.warmup: unknown key`));
  });

  it('gives each unknown key its own line', async () => {
    const file = await configFile(
      'model: ./m\nlerning_rate: 1\ntraining:\n  learning_rate: 1\nepochs: 2\n',
    );
    const error = await loadYamlConfig(file, schema).catch((e: unknown) => e);
    expect((error as Error).message.split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${file}:2: lerning_rate: unknown key`)),
      expect.stringMatching(new RegExp(`^${file}:5: epochs: unknown key`)),
    ]);
  });

  it('points into lists', async () => {
    const file = await configFile(
      'model: ./m\ntraining:\n  learning_rate: 1\ndatasets:\n  - path: a\n  - path: 7\n',
    );
    await expect(loadYamlConfig(file, schema)).rejects.toThrow(`${file}:6: datasets[1].path:`);
  });

  it('applies --set overrides before validation', async () => {
    const file = await configFile('model: ./m\ntraining:\n  learning_rate: 1\n');
    const config = await loadYamlConfig(file, schema, [
      'training.learning_rate=1e-4',
      'training.num_train_epochs=1',
    ]);
    expect(config.training).toEqual({ learning_rate: 1e-4, num_train_epochs: 1 });
    await expect(loadYamlConfig(file, schema, ['nonsense'])).rejects.toThrow(/expected key=value/);
  });

  it('names the --set that gave a bad value', async () => {
    const file = await configFile('model: ./m\ntraining:\n  learning_rate: 1\n');
    await expect(loadYamlConfig(file, schema, ['training.learning_rate=fast'])).rejects.toThrow(
      /^--set training.learning_rate=fast: training.learning_rate: .*number/,
    );
  });

  it('names a --set that goes into a value that is not a mapping (found by the fuzz suite)', async () => {
    const file = await configFile(
      'model: ./m\ntraining:\n  learning_rate: 1\ndatasets: [{path: a}]\n',
    );
    await expect(loadYamlConfig(file, schema, ['model.path=x'])).rejects.toThrow(
      new UserError('--set model.path=x: model is not a mapping, so it has no key path'),
    );
    await expect(loadYamlConfig(file, schema, ['datasets.name=x'])).rejects.toThrow(
      '--set datasets.name=x: datasets is not a mapping, so it has no key name',
    );
    const config = await loadYamlConfig(file, schema, ['datasets.0.path=b']);
    expect(config.datasets).toEqual([{ path: 'b' }]);
  });

  it('names the --set or the file of an alias that cannot be resolved (found by the fuzz suite)', async () => {
    const file = await configFile('model: ./m\ntraining:\n  learning_rate: 1\n');
    await expect(loadYamlConfig(file, schema, ['model=*'])).rejects.toThrow(
      /^--set model=\*: not valid YAML: /,
    );
    const laughs = (name: string, of: string) => `${name}: &${name} [${Array(9).fill(of)}]`;
    const bomb = await configFile(
      [
        laughs('a', 'x'),
        laughs('b', '*a'),
        laughs('c', '*b'),
        laughs('d', '*c'),
        'model: ./m',
      ].join('\n'),
    );
    const error = await loadYamlConfig(bomb, schema).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      `${bomb}: Excessive alias count indicates a resource exhaustion attack`,
    );
  });

  it('reports YAML syntax errors with the line', async () => {
    const file = await configFile('model: ./m\ntraining: [\n');
    await expect(loadYamlConfig(file, schema)).rejects.toThrow(
      new RegExp(`${file}:\\d+: not valid YAML`),
    );
  });
});
