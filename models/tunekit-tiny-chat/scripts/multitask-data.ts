import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '@tunekit/core';
import { writeScriptedData } from './data-file.js';

// Writes examples/multitask/data/{answer,rationale,tool_call}-{train,eval}.jsonl, each with its data
// manifest: three tasks on the same sums for the bundled tunekit-tiny-chat model, one source each.
// answer: "What is a + b?" → "c"; rationale: "Why is a + b = c?" → "because a+b=c"; tool_call:
// "Call add on a and b." → {"add":[a,b]}. Operands are 0-49; each task's eval pairs are held out
// of its training pairs. Also intent-{train,eval}.jsonl: which of the three tasks a message asks
// for, {"text", "label"}, for a classification head on the same model.
//   pnpm --filter @tunekit/tiny-chat-scripts multitask-data

const SEED = 23;
const EVAL_SIZE = 32;
const INTENT_SIZE = { train: 64, eval: 16 }; // messages per task
const SCRIPT = 'multitask-data';
const TASKS = {
  answer: {
    train: 384,
    make: (a: number, b: number) => [`What is ${a} + ${b}?`, String(a + b)],
    description: 'sums of two numbers 0-49 asked in a chat, answered with the sum',
  },
  rationale: {
    train: 192,
    make: (a: number, b: number) => [
      `Why is ${a} + ${b} = ${a + b}?`,
      `because ${a}+${b}=${a + b}`,
    ],
    description: 'why a sum of two numbers 0-49 holds, answered "because a+b=c"',
  },
  tool_call: {
    train: 192,
    make: (a: number, b: number) => [`Call add on ${a} and ${b}.`, JSON.stringify({ add: [a, b] })],
    description: 'a request to add two numbers 0-49, answered with the tool call {"add":[a,b]}',
  },
} as const;

/** Ordered pairs (a, b) of numbers 0-49, shuffled with a seeded Fisher-Yates. */
function shuffledOperands(random: () => number): [number, number][] {
  const operands: [number, number][] = [];
  for (let a = 0; a <= 49; a++) for (let b = 0; b <= 49; b++) operands.push([a, b]);
  for (let i = operands.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [operands[i], operands[j]] = [operands[j], operands[i]];
  }
  return operands;
}

export async function writeMultitaskData(dir: string): Promise<void> {
  // one generator for all tasks, in this order: each task shuffles its own operand pairs
  const random = seededRandom(SEED);
  await mkdir(dir, { recursive: true });
  for (const [task, { train, make, description }] of Object.entries(TASKS)) {
    const operands = shuffledOperands(random);
    const parts = [
      ['eval', operands.slice(0, EVAL_SIZE)],
      ['train', operands.slice(EVAL_SIZE, EVAL_SIZE + train)],
    ] as const;
    for (const [split, chosen] of parts) {
      const records = chosen.map(([a, b]) => {
        const [question, answer] = make(a, b);
        return JSON.stringify({
          messages: [
            { role: 'user', content: question },
            { role: 'assistant', content: answer },
          ],
        });
      });
      await writeScriptedData(join(dir, `${task}-${split}.jsonl`), records, {
        script: SCRIPT,
        format: 'messages',
        seed: SEED,
        task: `${task}: ${description}; eval operand pairs held out of train`,
      });
    }
  }
  await writeIntentData(dir);
}

/** intent: the task a user's message asks for, labelled by name, from its own generator. */
async function writeIntentData(dir: string): Promise<void> {
  const random = seededRandom(SEED + 1);
  for (const [split, size] of Object.entries(INTENT_SIZE)) {
    const records: string[] = [];
    for (const [task, { make }] of Object.entries(TASKS))
      for (let i = 0; i < size; i++) {
        const [a, b] = [Math.floor(random() * 50), Math.floor(random() * 50)];
        records.push(JSON.stringify({ text: make(a, b)[0], label: task }));
      }
    await writeScriptedData(join(dir, `intent-${split}.jsonl`), records, {
      script: SCRIPT,
      format: 'classification',
      seed: SEED + 1,
      task: `intent: the task a message asks for (${Object.keys(TASKS).join(', ')}), labelled by name`,
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await writeMultitaskData(join(import.meta.dirname, '../../../examples/multitask/data'));
