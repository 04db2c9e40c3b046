// Writes examples/kto/data/{train,eval}.jsonl, each with its data manifest: unpaired examples for
// KTO, made from examples/dpo's preference pairs (run `pnpm --filter @tunekit/tiny-chat-scripts
// dpo-data` first): a sum asked in a chat with one answer, the right sum labelled desirable (true) or a wrong one
// undesirable (false). Train takes one answer of each of its first 256 pairs, right and wrong in
// turn, so no question is seen with both; eval takes both answers of the first 32 held-out pairs.
// No dependencies: run it with `node examples/kto/make-data.mjs`.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';

const TRAIN_SIZE = 256;
const EVAL_PAIRS = 32;
const COMMAND = 'node examples/kto/make-data.mjs';
const root = join(import.meta.dirname, '..', '..');

const unpaired = (pair, label) => ({
  prompt: pair.prompt,
  completion: label ? pair.chosen : pair.rejected,
  label,
});

const dir = join(import.meta.dirname, 'data');
await mkdir(dir, { recursive: true });
const splits = [
  [
    'train.jsonl',
    'train.jsonl',
    (pairs) => pairs.slice(0, TRAIN_SIZE).map((p, i) => unpaired(p, i % 2 === 0)),
  ],
  [
    'eval.jsonl',
    'eval.jsonl',
    (pairs) => pairs.slice(0, EVAL_PAIRS).flatMap((p) => [unpaired(p, true), unpaired(p, false)]),
  ],
];
for (const [name, source, pick] of splits) {
  const sourcePath = join(import.meta.dirname, '..', 'dpo', 'data', source);
  const sourceText = await readFile(sourcePath, 'utf8');
  const pairs = sourceText
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
  const records = pick(pairs);
  const text = `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;
  const path = join(dir, name);
  await writeFile(path, text);
  const manifest = {
    tunekit_data_manifest: 1,
    file: basename(path),
    sha256: createHash('sha256').update(text).digest('hex'),
    records: records.length,
    format: 'unpaired_preference',
    created_at: new Date().toISOString(),
    command: COMMAND,
    inputs: [
      {
        path: relative(root, sourcePath),
        sha256: createHash('sha256').update(sourceText).digest('hex'),
      },
    ],
    details: {
      generator: 'examples/kto/make-data.mjs',
      task: 'sums of two numbers 0-99 asked in a chat with one answer: the right sum labelled true, another number false',
    },
  };
  await writeFile(`${path}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}
