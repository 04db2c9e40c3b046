import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  instructionPrompt,
  instructionRejection,
  parseInstructions,
  readSeedTasks,
  type SeedTask,
  selfInstruct,
  type TextGenerator,
} from '../src/index.js';
import { workFolder } from './fixtures.js';

const work = await workFolder();

const seed = (id: number, instruction: string): SeedTask => ({
  id: `seed_task_${id}`,
  name: `task_${id}`,
  instruction,
  instances: [{ input: '', output: 'x' }],
  is_classification: false,
});
const seeds = [
  seed(0, 'Suggest a healthy breakfast for a busy morning.'),
  seed(1, 'Explain why the sky looks blue during the day.'),
  seed(2, 'Give three tips for learning a new language.'),
];

/** A stand-in model: continuations from a script, answers echoing the instruction; one word is one token. */
function scripted(continuations: string[], positions = 200): TextGenerator & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    prompts,
    positions,
    maxNewTokens: 20,
    countTokens: (text) => text.split(/\s+/).length,
    complete: async (batch) => {
      prompts.push(...batch);
      return batch.map(() => continuations.shift() ?? '');
    },
    answer: async (conversations) =>
      conversations.map((c) =>
        String(c[0]?.content).includes('empty') ? ' ' : `Answer to: ${c[0]?.content}`,
      ),
    dispose: async () => {},
  };
}

describe('self-instruct', () => {
  it('keeps the new instructions that pass the filters and ROUGE-L, answered by the model', async () => {
    const generator = scripted([
      ' Write a haiku about autumn leaves falling.\nTask 5: Draw a map of your town.\nTask 6: Hi',
      ' Explain why the sky looks blue during daytime.\nTask 5: List four uses of a paper clip.',
      ' Describe an empty room in two sentences please.',
    ]);
    const result = await selfInstruct({
      generator,
      seeds,
      count: 10,
      promptTasks: 3,
      promptsPerRound: 3,
      maxRounds: 1,
      seed: 1,
    });
    expect(result.records.map((r) => r.instruction)).toEqual([
      'Write a haiku about autumn leaves falling.',
      'List four uses of a paper clip.',
    ]);
    expect(result.records[0]).toEqual({
      instruction: 'Write a haiku about autumn leaves falling.',
      input: '',
      output: 'Answer to: Write a haiku about autumn leaves falling.',
      round: 1,
    });
    expect(result.generated).toBe(6);
    expect(result.dropped).toEqual({ keyword: 1, too_short: 1, similar: 1, empty_output: 1 });
    // each prompt lists the three seed instructions and leaves task 4 open
    expect(generator.prompts[0]).toMatch(
      /^Come up with a series of tasks:\nTask 1: .+\nTask 2: .+\nTask 3: .+\nTask 4:$/,
    );
  });

  it('mixes generated instructions into later prompts and stops at the count', async () => {
    const generator = scripted([
      ' Write a short poem about the quiet sea.',
      ' Name three famous bridges in Europe today.',
      ' Summarise the plot of a fairy tale briefly.',
    ]);
    const result = await selfInstruct({
      generator,
      seeds,
      count: 2,
      promptTasks: 3,
      machineTasks: 1,
      promptsPerRound: 1,
      seed: 3,
    });
    expect(result.records).toHaveLength(2);
    expect(result.rounds).toBe(2);
    expect(generator.prompts[1]).toContain('Write a short poem about the quiet sea.');
  });

  it('drops in-context tasks to fit the model, and says when not even one fits', async () => {
    const short = scripted([' Tell me a fact about owls.'], 40);
    await selfInstruct({
      generator: short,
      seeds,
      count: 1,
      promptTasks: 3,
      promptsPerRound: 1,
      maxRounds: 1,
    });
    expect(short.prompts[0]?.match(/Task \d+:/g)).toHaveLength(2);
    await expect(
      selfInstruct({ generator: scripted([], 25), seeds, count: 1, promptsPerRound: 1 }),
    ).rejects.toThrow(
      /a prompt with one seed task does not fit the model's 25 positions beside max_new_tokens 20/,
    );
  });
});

describe('self-instruct parts', () => {
  it('numbers the tasks and parses a continuation', () => {
    expect(instructionPrompt(['A b.', 'C\nd.'])).toBe(
      'Come up with a series of tasks:\nTask 1: A b.\nTask 2: C d.\nTask 3:',
    );
    expect(parseInstructions(' First one.\nmore of it\nTask 4: Second.\n\nTask 5:  ')).toEqual([
      'First one.',
      'Second.',
    ]);
  });

  it('applies the published heuristic filters', () => {
    expect(instructionRejection('Plot the sales figures for last year.')).toBe('keyword');
    expect(instructionRejection('Write a program that sorts numbers.')).toBe('program');
    expect(instructionRejection('"Quote" something famous for me.')).toBe('punctuation');
    expect(instructionRejection('Écris une phrase en français ici.')).toBe('non_ascii');
    expect(instructionRejection('Too short.')).toBe('too_short');
    expect(instructionRejection(`Say ${'very '.repeat(150)}much.`)).toBe('too_long');
    expect(instructionRejection('Describe the mapping of keys to values.')).toBeUndefined();
  });

  it('reads Alpaca’s seed task format, naming a bad line', async () => {
    const file = join(work, 'seed_tasks.jsonl');
    await writeFile(
      file,
      `${JSON.stringify(seeds[0])}\n{"id": "s1", "name": "n", "instruction": "x", "instances": []}\n`,
    );
    await expect(readSeedTasks(file)).rejects.toThrow(`${file}:2: instances: `);
  });
});
