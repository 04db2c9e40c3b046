// Writes data/train.jsonl and data/eval.jsonl for examples/embed.yaml: a question "What is a + b?"
// as the query and its answer "a + b makes c" as the positive, seeded, so the files are
// reproducible. Every eval answer is a different number, so each query has one right document.
// Run: node examples/embed/make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 23;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = (n) => Math.floor(random() * n);
const pair = (a, b) => ({ query: `What is ${a} + ${b}?`, positive: `The answer is ${a + b}.` });
const dir = join(dirname(fileURLToPath(import.meta.url)), 'data');
mkdirSync(dir, { recursive: true });
const jsonl = (records) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
const evalPairs = [];
const sums = new Set();
while (evalPairs.length < 48) {
  const [a, b] = [pick(60), pick(40)];
  if (sums.has(a + b)) continue;
  sums.add(a + b);
  evalPairs.push(pair(a, b));
}
const train = Array.from({ length: 512 }, () => pair(pick(60), pick(40)));
writeFileSync(join(dir, 'train.jsonl'), jsonl(train));
writeFileSync(join(dir, 'eval.jsonl'), jsonl(evalPairs));
