import { readFile } from 'node:fs/promises';
import { UserError } from '@tunekit/core';
import { z } from 'zod';

/** One line of Self-Instruct's and Stanford Alpaca's seed_tasks.jsonl. */
const seedTaskSchema = z.object({
  id: z.string(),
  name: z.string(),
  instruction: z.string().min(1),
  instances: z.array(z.object({ input: z.string(), output: z.string() })).min(1),
  is_classification: z.boolean(),
});

export type SeedTask = z.infer<typeof seedTaskSchema>;

/** The seed tasks of a JSONL file; a bad line is an error naming it and the field. */
export async function readSeedTasks(file: string): Promise<SeedTask[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`${file}: cannot read the seed tasks (${error.code ?? error.message})`);
  });
  const tasks: SeedTask[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new UserError(`${where}: not JSON`);
    }
    const parsed = seedTaskSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(
        `${where}: ${issue?.path.join('.') || 'record'}: ${issue?.message} (seed tasks have id, name, instruction, instances [{input, output}], is_classification)`,
      );
    }
    tasks.push(parsed.data);
  });
  if (tasks.length === 0) throw new UserError(`${file}: no seed tasks`);
  return tasks;
}
