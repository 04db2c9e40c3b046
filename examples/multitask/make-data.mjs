// Writes examples/multitask/data/{answer,rationale,tool_call}-{train,eval}.jsonl, each with its data
// manifest: three tasks on the same sums for the bundled tunekit-tiny-chat model, one source each.
// answer: "What is a + b?" → "c"; rationale: "Why is a + b = c?" → "because a+b=c"; tool_call:
// "Call add on a and b." → {"add":[a,b]}. Operands are 0-49; each task's
// eval pairs are held out of its training pairs. No dependencies: `node examples/multitask/make-data.mjs`.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

const SEED = 23;
const TRAIN_SIZE = { answer: 384, rationale: 192, tool_call: 192 };
const EVAL_SIZE = 32;
const COMMAND = 'node examples/multitask/make-data.mjs';
const TASKS = {
  answer: (a, b) => [`What is ${a} + ${b}?`, String(a + b)],
  rationale: (a, b) => [`Why is ${a} + ${b} = ${a + b}?`, `because ${a}+${b}=${a + b}`],
  tool_call: (a, b) => [`Call add on ${a} and ${b}.`, JSON.stringify({ add: [a, b] })],
};
const DESCRIPTION = {
  answer: 'sums of two numbers 0-49 asked in a chat, answered with the sum',
  rationale: 'why a sum of two numbers 0-49 holds, answered "because a+b=c"',
  tool_call: 'a request to add two numbers 0-49, answered with the tool call {"add":[a,b]}',
};

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
const dir = join(import.meta.dirname, 'data');
await mkdir(dir, { recursive: true });
for (const [task, make] of Object.entries(TASKS)) {
  const operands = [];
  for (let a = 0; a <= 49; a++) for (let b = 0; b <= 49; b++) operands.push([a, b]);
  for (let i = operands.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [operands[i], operands[j]] = [operands[j], operands[i]];
  }
  const splits = [
    ['eval', operands.slice(0, EVAL_SIZE)],
    ['train', operands.slice(EVAL_SIZE, EVAL_SIZE + TRAIN_SIZE[task])],
  ];
  for (const [split, chosen] of splits) {
    const records = chosen.map(([a, b]) => {
      const [question, answer] = make(a, b);
      return JSON.stringify({
        messages: [
          { role: 'user', content: question },
          { role: 'assistant', content: answer },
        ],
      });
    });
    const text = `${records.join('\n')}\n`;
    const path = join(dir, `${task}-${split}.jsonl`);
    await writeFile(path, text);
    const manifest = {
      tunekit_data_manifest: 1,
      file: basename(path),
      sha256: createHash('sha256').update(text).digest('hex'),
      records: chosen.length,
      format: 'messages',
      created_at: new Date().toISOString(),
      command: COMMAND,
      inputs: [],
      details: {
        generator: 'examples/multitask/make-data.mjs',
        seed: SEED,
        task: `${task}: ${DESCRIPTION[task]}; eval operand pairs held out of train`,
      },
    };
    await writeFile(`${path}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  }
}

// intent: which of the three tasks a user's message asks for, {"text": question, "label": task},
// for a classification head (`score`) on the same model; 64 training and 16 eval messages per task.
const INTENT_SIZE = { train: 64, eval: 16 };
const intentRandom = seeded(SEED + 1);
for (const [split, size] of Object.entries(INTENT_SIZE)) {
  const records = [];
  for (const [task, make] of Object.entries(TASKS))
    for (let i = 0; i < size; i++) {
      const [a, b] = [Math.floor(intentRandom() * 50), Math.floor(intentRandom() * 50)];
      records.push(JSON.stringify({ text: make(a, b)[0], label: task }));
    }
  const text = `${records.join('\n')}\n`;
  const path = join(dir, `intent-${split}.jsonl`);
  await writeFile(path, text);
  const manifest = {
    tunekit_data_manifest: 1,
    file: basename(path),
    sha256: createHash('sha256').update(text).digest('hex'),
    records: records.length,
    format: 'classification',
    created_at: new Date().toISOString(),
    command: COMMAND,
    inputs: [],
    details: {
      generator: 'examples/multitask/make-data.mjs',
      seed: SEED + 1,
      task: `intent: the task a message asks for (${Object.keys(TASKS).join(', ')}), labelled by name`,
    },
  };
  await writeFile(`${path}.manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
}
