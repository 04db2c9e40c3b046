import { UserError } from '@tunekit/core';
import { z } from 'zod';
import { firstIssue, readJsonl } from '../jsonl/index.js';

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
  const tasks = (await readJsonl(file, 'the seed tasks')).map(({ where, value }) => {
    const parsed = seedTaskSchema.safeParse(value);
    if (!parsed.success)
      throw new UserError(
        `${where}: ${firstIssue(parsed.error)} (seed tasks have id, name, instruction, instances [{input, output}], is_classification)`,
      );
    return parsed.data;
  });
  if (tasks.length === 0) throw new UserError(`${file}: no seed tasks`);
  return tasks;
}
