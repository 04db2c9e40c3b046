import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OnnxBackend } from '@tunekit/backend-onnx';
import {
  adamw,
  buildTrainStep,
  type ChatMessage,
  Generator,
  HostTensor,
  loadCausalLM,
  PeftModel,
  seededRandom,
  Tokenizer,
  TrainStepRunner,
} from '@tunekit/core';
import { denseLinearDispatcher, loraMethod } from '@tunekit/peft-lora';
import { chatml, IGNORE_INDEX, tokenizeExample } from '@tunekit/templates';
import { traceNextTokenLoss } from './next-token-loss.js';

// The quickstart job done by hand with core + peft-lora on the onnx backend, to check that it is
// feasible and to give the figures `tunekit train examples/quickstart.yaml` must reproduce: LoRA on
// tunekit-tiny-chat, ChatML, greedy exact match on the held-out eval set before and after.
//   pnpm --filter @tunekit/tiny-chat-scripts quickstart-check [--model DIR] [--data DIR]
//     [--steps N] [--lr X] [--r N] [--targets all-linear|q_proj,v_proj] [--seed N]
const root = join(import.meta.dirname, '../../..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(import.meta.dirname, '..') },
    data: { type: 'string', default: join(root, 'examples/quickstart/data') },
    steps: { type: 'string', default: '300' },
    lr: { type: 'string', default: '3e-3' },
    r: { type: 'string', default: '8' },
    targets: { type: 'string', default: 'all-linear' },
    seed: { type: 'string', default: '42' },
  },
});
const HP = {
  seed: Number(args.seed),
  max_steps: Number(args.steps),
  per_device_train_batch_size: 16,
  learning_rate: Number(args.lr),
  warmup_steps: 20,
  lr_scheduler_type: 'linear',
  max_grad_norm: 1,
  lora: {
    r: Number(args.r),
    lora_alpha: 2 * Number(args.r),
    lora_dropout: 0,
    target_modules: args.targets.includes(',') ? args.targets.split(',') : args.targets,
  },
};
const start = performance.now();
const elapsed = () => `${((performance.now() - start) / 1000).toFixed(1)}s`;

type MessagesRecord = { messages: ChatMessage[] };
const readJsonl = async (file: string): Promise<MessagesRecord[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

const dir = resolve(process.env.INIT_CWD ?? process.cwd(), args.model);
const tokenizer = await Tokenizer.fromFolder(dir);
const { model } = await loadCausalLM(dir);
const data = resolve(process.env.INIT_CWD ?? process.cwd(), args.data);
const train = await readJsonl(join(data, 'train.jsonl'));
const evalSet = await readJsonl(join(data, 'eval.jsonl'));
const backend = new OnnxBackend();

const endOfTurn = tokenizer.eosTokenId as number;
const pad = tokenizer.padTokenId as number;
async function exactMatch(label: string): Promise<number> {
  const prompts = evalSet.map((r) =>
    tokenizer.encode(chatml.render(r.messages.slice(0, -1), { addGenerationPrompt: true }).text),
  );
  const generator = new Generator(model, backend, { maxLength: 40 });
  const rows = await generator.generate(
    prompts,
    { max_new_tokens: 8, do_sample: false, eos_token_id: [endOfTurn, pad], pad_token_id: pad },
    { decode: (ids) => tokenizer.decode(ids, { skipSpecialTokens: true }) },
  );
  let hits = 0;
  rows.forEach((row, i) => {
    if (row.text?.trim() === evalSet[i].messages.at(-1)?.content) hits++;
  });
  for (const i of [0, 1, 2])
    console.log(
      `  ${label} | ${evalSet[i].messages[0].content} -> ${JSON.stringify(rows[i].text)}`,
    );
  return hits / rows.length;
}

const before = await exactMatch('before');
console.log(
  `eval exact match before: ${(100 * before).toFixed(1)}% (${evalSet.length} held-out) [${elapsed()}]`,
);

const peft = PeftModel.create(model, loraMethod, HP.lora, {
  dispatchers: [denseLinearDispatcher],
  modelType: 'llama',
  seed: HP.seed,
});
peft.printTrainableParameters();

// tokenised as the trainer does: ChatML, loss on the assistant's answer and its <|im_end|>
const examples = train.map((r, i) => {
  const rendered = chatml.render(r.messages);
  return tokenizeExample({ ...rendered, source: 'conversation' }, tokenizer, {
    where: `train.jsonl:${i + 1}`,
  });
});
const seq = Math.max(...examples.map((e) => e.input_ids.length)) - 1;
const batch = HP.per_device_train_batch_size;
const { loss, ctx } = traceNextTokenLoss(model, { batch, seq });
const step = buildTrainStep(loss, {
  optimizer: adamw(),
  groups: [{ lr: HP.learning_rate, weight_decay: 0 }],
  maxGradNorm: HP.max_grad_norm,
});
const runner = TrainStepRunner.create(backend, step, ctx.weights());
const positions = HostTensor.from(
  'i32',
  [batch, seq],
  Array.from({ length: batch * seq }, (_, i) => i % seq),
);
const random = seededRandom(HP.seed);
let order: number[] = [];
/** 0..n-1 in a seeded Fisher-Yates order: one epoch. */
function shuffled(n: number, random: () => number): number[] {
  const out = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const lr = (s: number) =>
  s <= HP.warmup_steps
    ? (HP.learning_rate * s) / HP.warmup_steps
    : (HP.learning_rate * (HP.max_steps - s)) / (HP.max_steps - HP.warmup_steps);
console.log(`training: ${train.length} examples, batch ${batch} x ${seq} tokens [${elapsed()}]`);
for (let s = 1; s <= HP.max_steps; s++) {
  const inputs: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < batch; r++) {
    if (order.length === 0) order = shuffled(train.length, random);
    const e = examples[order.pop() as number];
    const fill = seq + 1 - e.input_ids.length;
    inputs.push(...e.input_ids.slice(0, -1), ...new Array(fill).fill(pad));
    labels.push(...e.labels.slice(1), ...new Array(fill).fill(IGNORE_INDEX));
  }
  const { loss: l } = await runner.run(
    {
      input_ids: HostTensor.from('i32', [batch, seq], inputs),
      position_ids: positions,
      labels: HostTensor.from('i32', [batch * seq], labels),
    },
    [lr(s)],
  );
  if (s === 1 || s % 25 === 0) console.log(`step ${s} loss ${l.toFixed(4)} [${elapsed()}]`);
}
const trained = await runner.params();
for (const [name, p] of model.namedParameters()) if (trained[name]) p.value = trained[name];
runner.dispose();
peft.train(false);

const after = await exactMatch('after');
console.log(`eval exact match after: ${(100 * after).toFixed(1)}% [${elapsed()}]`);
console.log(`wall time ${elapsed()} on ${HP.max_steps} steps; ${JSON.stringify(HP)}`);
backend.dispose();
