// Writes examples/dpo/data/{train,eval}.jsonl, each with its data manifest: preference pairs for
// the bundled tunekit-tiny-chat model, a sum of two numbers 0-99 asked in a chat, the right sum
// chosen and a wrong one (any other number 0-198) rejected. Eval pairs use operand pairs that train
// never asks, in either order. No dependencies: run it with `node examples/dpo/make-data.mjs`.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

const SEED = 17;
const TRAIN_SIZE = 512;
const EVAL_SIZE = 64;
const QUESTIONS = [(a, b) => `What is ${a} + ${b}?`, (a, b) => `What is ${a} plus ${b}?`];
const COMMAND = 'node examples/dpo/make-data.mjs';

/** mulberry32: a small seeded generator, so the files come out the same on every machine. */
function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(SEED);
const pick = (items) => items[Math.floor(random() * items.length)];

/** A wrong sum: any other number a sum of two numbers 0-99 can be. */
function wrongSum(sum) {
  const wrong = Math.floor(random() * 198);
  return wrong >= sum ? wrong + 1 : wrong;
}

function pair(a, b) {
  const question = pick(QUESTIONS)(a, b);
  return JSON.stringify({
    prompt: [{ role: 'user', content: question }],
    chosen: [{ role: 'assistant', content: String(a + b) }],
    rejected: [{ role: 'assistant', content: String(wrongSum(a + b)) }],
  });
}

const operands = [];
for (let a = 0; a <= 99; a++) for (let b = a; b <= 99; b++) operands.push([a, b]);
for (let i = operands.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [operands[i], operands[j]] = [operands[j], operands[i]];
}
const ordered = ([a, b]) => (random() < 0.5 ? [a, b] : [b, a]);
const dir = join(import.meta.dirname, 'data');
await mkdir(dir, { recursive: true });
const splits = [
  ['eval.jsonl', operands.slice(0, EVAL_SIZE)],
  ['train.jsonl', operands.slice(EVAL_SIZE, EVAL_SIZE + TRAIN_SIZE)],
];
for (const [name, chosen] of splits) {
  const text = `${chosen.map((p) => pair(...ordered(p))).join('\n')}\n`;
  const path = join(dir, name);
  await writeFile(path, text);
  const manifest = {
    tunekit_data_manifest: 1,
    file: basename(path),
    sha256: createHash('sha256').update(text).digest('hex'),
    records: chosen.length,
    format: 'preference',
    created_at: new Date().toISOString(),
    command: COMMAND,
    inputs: [],
    details: {
      generator: 'examples/dpo/make-data.mjs',
      seed: SEED,
      task: 'sums of two numbers 0-99 asked in a chat: the right sum chosen, another number 0-198 rejected; eval operand pairs held out of train in either order',
    },
  };
  await writeFile(`${path}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}
