import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '@tunekit/core';
import { MAX_OPERAND, pick } from './corpus.js';
import { writeScriptedData } from './data-file.js';

// Writes examples/quickstart/data/{train,eval}.jsonl (each with its data manifest): sums of two numbers 0-99 asked in a ChatML
// chat, answered with the number alone. The base model adds in prose but has never been asked
// a sum in a chat; the eval pairs are held out (neither order of an eval pair is in train).
//   pnpm --filter @tunekit/tiny-chat-scripts quickstart-data

export const QUICKSTART_SEED = 3;
export const TRAIN_SIZE = 2000;
export const EVAL_SIZE = 200;

const QUESTIONS: readonly ((a: number, b: number) => string)[] = [
  (a, b) => `What is ${a} + ${b}?`,
  (a, b) => `What is ${a} plus ${b}?`,
  (a, b) => `Add ${a} and ${b}.`,
];

/** One `messages` record: the question and its checkable answer. */
function record(a: number, b: number, question: (a: number, b: number) => string): string {
  return JSON.stringify({
    messages: [
      { role: 'user', content: question(a, b) },
      { role: 'assistant', content: String(a + b) },
    ],
  });
}

/** Unordered pairs {a, b} of numbers 0-99, shuffled with a seeded Fisher-Yates. */
function shuffledPairs(random: () => number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 0; a <= MAX_OPERAND; a++) for (let b = a; b <= MAX_OPERAND; b++) pairs.push([a, b]);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  return pairs;
}

/**
 * The shuffled pairs as eval.jsonl's (the first `evalSize`) and train.jsonl's (the next
 * `trainSize`), so neither order of an eval pair is in train; and `ordered`, which puts a pair in a
 * random order as its record is made, so that a + b and b + a are both asked.
 */
export function heldOutSplits(random: () => number, evalSize: number, trainSize: number) {
  const pairs = shuffledPairs(random);
  const parts = [
    ['eval.jsonl', pairs.slice(0, evalSize)],
    ['train.jsonl', pairs.slice(evalSize, evalSize + trainSize)],
  ] as const;
  const ordered = (p: [number, number]): [number, number] => (random() < 0.5 ? p : [p[1], p[0]]);
  return { parts, ordered };
}

export async function writeQuickstartData(dir: string): Promise<void> {
  const random = seededRandom(QUICKSTART_SEED);
  const { parts, ordered } = heldOutSplits(random, EVAL_SIZE, TRAIN_SIZE);
  await mkdir(dir, { recursive: true });
  for (const [name, chosen] of parts)
    await writeScriptedData(
      join(dir, name),
      chosen.map((p) => record(...ordered(p), pick(random, QUESTIONS))),
      {
        script: 'quickstart-data',
        format: 'messages',
        seed: QUICKSTART_SEED,
        task: 'sums of two numbers 0-99 asked in a chat; eval pairs held out of train in either order',
      },
    );
}

if (import.meta.url === `file://${process.argv[1]}`)
  await writeQuickstartData(join(import.meta.dirname, '../../../examples/quickstart/data'));
