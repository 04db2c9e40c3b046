// Writes data/train.jsonl and data/eval.jsonl for examples/classify.yaml: worked sums "a + b = c"
// labelled with the parity of the answer c (even or odd), seeded, so the files are reproducible.
// Run: node examples/classify/make-data.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 17;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = (n) => Math.floor(random() * n);
const record = () => {
  const [a, b] = [pick(60), pick(40)];
  return { text: `${a} + ${b} = ${a + b}`, label: (a + b) % 2 === 0 ? 'even' : 'odd' };
};
const dir = join(dirname(fileURLToPath(import.meta.url)), 'data');
mkdirSync(dir, { recursive: true });
const lines = (n) => `${Array.from({ length: n }, () => JSON.stringify(record())).join('\n')}\n`;
writeFileSync(join(dir, 'train.jsonl'), lines(512));
writeFileSync(join(dir, 'eval.jsonl'), lines(64));
