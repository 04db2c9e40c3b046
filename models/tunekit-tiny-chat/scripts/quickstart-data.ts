import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom, writeDataManifest } from '@tunekit/core';
import { MAX_OPERAND, pick } from './corpus.js';

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
export function shuffledPairs(random: () => number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let a = 0; a <= MAX_OPERAND; a++) for (let b = a; b <= MAX_OPERAND; b++) pairs.push([a, b]);
  for (let i = pairs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
  }
  return pairs;
}

export async function writeQuickstartData(dir: string): Promise<void> {
  const random = seededRandom(QUICKSTART_SEED);
  const pairs = shuffledPairs(random);
  // each pair in a random order, so that a + b and b + a are both asked
  const ordered = (p: [number, number]): [number, number] => (random() < 0.5 ? p : [p[1], p[0]]);
  const lines = (chosen: [number, number][]) =>
    `${chosen.map((p) => record(...ordered(p), pick(random, QUESTIONS))).join('\n')}\n`;
  await mkdir(dir, { recursive: true });
  const parts = [
    ['eval.jsonl', pairs.slice(0, EVAL_SIZE)],
    ['train.jsonl', pairs.slice(EVAL_SIZE, EVAL_SIZE + TRAIN_SIZE)],
  ] as const;
  for (const [name, chosen] of parts) {
    await writeFile(join(dir, name), lines(chosen));
    // the manifest that training records, so `tunekit data lineage` traces the quickstart to here
    await writeDataManifest(join(dir, name), {
      records: chosen.length,
      format: 'messages',
      command: 'pnpm --filter @tunekit/tiny-chat-scripts quickstart-data',
      inputs: [],
      details: {
        generator: 'models/tunekit-tiny-chat/scripts/quickstart-data.ts',
        seed: QUICKSTART_SEED,
        task: 'sums of two numbers 0-99 asked in a chat; eval pairs held out of train in either order',
      },
    });
  }
}

if (import.meta.url === `file://${process.argv[1]}`)
  await writeQuickstartData(join(import.meta.dirname, '../../../examples/quickstart/data'));
