import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OnnxBackend } from '@tunekit/backend-onnx';
import {
  adamw,
  buildCausalLM,
  buildTrainStep,
  HostTensor,
  seededRandom,
  Tokenizer,
  TrainStepRunner,
  writeModelFolder,
} from '@tunekit/core';
import { corpusDocuments } from './corpus.js';
import { cosineLr } from './cosine-schedule.js';
import { generationConfig, modelConfig } from './model-config.js';
import { traceNextTokenLoss } from './next-token-loss.js';
import { packRows } from './pack-rows.js';
import { randomInit } from './random-init.js';
import { SumProbe } from './sum-probe.js';
import { CONTEXT_LENGTH } from './tokenizer-files.js';
import { trainTokenizer } from './train-tokenizer.js';

// Pretrains tunekit-tiny-chat from random initialisation with tunekit's own full fine-tuning path
// (one ONNX graph per step: forward, backward, clipping, AdamW) and writes the HF folder.
//   pnpm pretrain-default-model [--out DIR] [--steps N]
const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: join(import.meta.dirname, '..') },
    steps: { type: 'string', default: '3500' },
  },
});
// relative to where the command was typed (pnpm runs scripts in this folder and sets INIT_CWD)
const out = resolve(process.env.INIT_CWD ?? process.cwd(), args.out);
const HP = {
  seed: 0,
  corpus_seed: 2,
  max_steps: Number(args.steps),
  per_device_train_batch_size: 16,
  seq_length: CONTEXT_LENGTH,
  learning_rate: 3e-3,
  warmup_steps: 100,
  min_lr_ratio: 0.1,
  weight_decay: 0.1,
  adam_beta1: 0.9,
  adam_beta2: 0.95,
  max_grad_norm: 1,
};

await trainTokenizer(out);
const tokenizer = await Tokenizer.fromFolder(out);
const config = modelConfig(tokenizer.vocabSize);
const { model } = buildCausalLM(config);
randomInit(model, { seed: HP.seed, initializerRange: config.initializer_range as number });
for (const [, p] of model.namedParameters()) p.trainable = true;

const { per_device_train_batch_size: batch, seq_length: seq } = HP;
const { loss, ctx } = traceNextTokenLoss(model, { batch, seq });
const step = buildTrainStep(loss, {
  optimizer: adamw({ betas: [HP.adam_beta1, HP.adam_beta2] }),
  // as transformers does, no weight decay on norms (the model has no biases)
  groups: [
    { lr: HP.learning_rate, weight_decay: 0, match: (name) => name.endsWith('norm.weight') },
    { lr: HP.learning_rate, weight_decay: HP.weight_decay },
  ],
  maxGradNorm: HP.max_grad_norm,
});
const backend = new OnnxBackend();
const runner = TrainStepRunner.create(backend, step, ctx.weights());
const probe = new SumProbe(model, tokenizer, backend);

const sep = tokenizer.padTokenId as number; // <|endoftext|> ends every document
const cache = new Map<string, number[]>();
const docs = (function* () {
  for (const text of corpusDocuments(seededRandom(HP.corpus_seed))) {
    const ids = cache.get(text) ?? tokenizer.encode(text);
    cache.set(text, ids);
    yield ids;
  }
})();
// each row has seq + 1 tokens: inputs are the first seq, labels the last seq
const rows = packRows(docs, seq + 1, sep);
const positions = HostTensor.from(
  'i32',
  [batch, seq],
  Array.from({ length: batch * seq }, (_, i) => i % seq),
);
const unique = [...new Set(model.namedParameters().map(([, p]) => p))];
console.log(`${unique.reduce((n, p) => n + p.value.size, 0)} parameters; ${JSON.stringify(HP)}`);
const start = performance.now();
let smoothed = 0;
for (let s = 1; s <= HP.max_steps; s++) {
  const inputs: number[] = [];
  const labels: number[] = [];
  for (let r = 0; r < batch; r++) {
    const row = rows.next().value as number[];
    inputs.push(...row.slice(0, seq));
    labels.push(...row.slice(1));
  }
  const lr = cosineLr(s, {
    peak: HP.learning_rate,
    warmup: HP.warmup_steps,
    total: HP.max_steps,
    minRatio: HP.min_lr_ratio,
  });
  const { loss: l, gradNorm } = await runner.run(
    {
      input_ids: HostTensor.from('i32', [batch, seq], inputs),
      position_ids: positions,
      labels: HostTensor.from('i32', [batch * seq], labels),
    },
    [lr, lr],
  );
  if (!Number.isFinite(l)) throw new Error(`loss is ${l} at step ${s}`);
  smoothed = s === 1 ? l : 0.95 * smoothed + 0.05 * l;
  if (s % 50 === 0 || s === 1) {
    const secs = (performance.now() - start) / 1000;
    console.log(
      `step ${s} loss ${l.toFixed(4)} (ema ${smoothed.toFixed(4)}) lr ${lr.toExponential(2)} grad_norm ${gradNorm.toFixed(3)} ${secs.toFixed(0)}s`,
    );
  }
  if (s % 500 === 0 || s === HP.max_steps) {
    const weights = await runner.params();
    console.log(
      `step ${s} sum exact match (teacher-forced, 64 sums) ${(100 * (await probe.accuracy(weights))).toFixed(1)}%`,
    );
    for (const [name, p] of model.namedParameters()) if (weights[name]) p.value = weights[name];
    await save();
  }
}
console.log(`done in ${((performance.now() - start) / 1000).toFixed(0)}s`);
backend.dispose();

async function save(): Promise<void> {
  // tied embeddings: lm_head.weight is model.embed_tokens.weight, saved once as transformers does
  const weights = new Map<string, HostTensor>();
  const seen = new Set<unknown>();
  for (const [name, p] of model.namedParameters()) {
    if (seen.has(p)) continue;
    seen.add(p);
    weights.set(name, p.value);
  }
  await writeModelFolder(out, {
    config,
    weights,
    extraFiles: { 'generation_config.json': `${JSON.stringify(generationConfig(), null, 2)}\n` },
  });
}
