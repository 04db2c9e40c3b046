import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '@tunekit/core';
import { pick } from './corpus.js';
import { writeScriptedData } from './data-file.js';
import { heldOutSplits } from './quickstart-data.js';

// Writes examples/dpo/data/{train,eval}.jsonl, each with its data manifest: preference pairs for
// the bundled tunekit-tiny-chat model, a sum of two numbers 0-99 asked in a chat, the right sum
// chosen and a wrong one (any other number 0-198) rejected. Eval pairs use operand pairs that train
// never asks, in either order.
//   pnpm --filter @tunekit/tiny-chat-scripts dpo-data

const SEED = 17;
const TRAIN_SIZE = 512;
const EVAL_SIZE = 64;
const QUESTIONS: readonly ((a: number, b: number) => string)[] = [
  (a, b) => `What is ${a} + ${b}?`,
  (a, b) => `What is ${a} plus ${b}?`,
];

export async function writeDpoData(dir: string): Promise<void> {
  const random = seededRandom(SEED);
  /** A wrong sum: any other number a sum of two numbers 0-99 can be. */
  const wrongSum = (sum: number) => {
    const wrong = Math.floor(random() * 198);
    return wrong >= sum ? wrong + 1 : wrong;
  };
  const pair = (a: number, b: number) => {
    const question = pick(random, QUESTIONS)(a, b);
    return JSON.stringify({
      prompt: [{ role: 'user', content: question }],
      chosen: [{ role: 'assistant', content: String(a + b) }],
      rejected: [{ role: 'assistant', content: String(wrongSum(a + b)) }],
    });
  };
  const { parts, ordered } = heldOutSplits(random, EVAL_SIZE, TRAIN_SIZE);
  await mkdir(dir, { recursive: true });
  for (const [name, chosen] of parts)
    await writeScriptedData(
      join(dir, name),
      chosen.map((p) => pair(...ordered(p))),
      {
        script: 'dpo-data',
        format: 'preference',
        seed: SEED,
        task: 'sums of two numbers 0-99 asked in a chat: the right sum chosen, another number 0-198 rejected; eval operand pairs held out of train in either order',
      },
    );
}

if (import.meta.url === `file://${process.argv[1]}`)
  await writeDpoData(join(import.meta.dirname, '../../../examples/dpo/data'));
