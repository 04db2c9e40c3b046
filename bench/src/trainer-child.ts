import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OnnxBackend } from '@tunekit/backend-onnx';
import { corePlugins, createContainer, Tokenizer } from '@tunekit/core';
import { plugin as templates } from '@tunekit/templates';
import {
  type BatchPlan,
  builtinCallbacks,
  loadSftData,
  ProgressBarCallback,
  parseTrainingArguments,
  Trainer,
  plugin as trainer,
} from '@tunekit/trainer';
import { writeChatCorpus } from './chat-corpus.js';
import { StepClock, summarizeSplits } from './step-clock.js';
import { Stopwatch } from './stopwatch.js';
import { TimedBackend } from './timed-backend.js';
import { timedCallback } from './timed-callback.js';
import { buildRandomModel } from './tunekit-step.js';
import { workloadOfKind } from './workload-by-id.js';
import { OPTIMIZER, type TrainerWorkload } from './workloads.js';

// One trainer workload, alone in this process: `Trainer.train()` on generated chat data, read
// through the stock pipeline (ChatML, packing) and logged by the built-in callbacks at every step.
// Prints one JSON line: `TrainerResult`.

/** A real BPE tokenizer with ChatML's special tokens: the bundled model's. */
const TOKENIZER_DIR = fileURLToPath(new URL('../../models/tunekit-tiny-chat', import.meta.url));

const workload = workloadOfKind(process.argv[2], 'trainer');
const work = await mkdtemp(join(tmpdir(), 'tunekit-bench-trainer-'));
try {
  const result = await runTrainerWorkload(workload, Number(process.argv[3]), work);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(work, { recursive: true, force: true });
}

export type TrainerResult = Awaited<ReturnType<typeof runTrainerWorkload>>;

async function runTrainerWorkload(workload: TrainerWorkload, threads: number, work: string) {
  const container = createContainer([...corePlugins, templates, trainer]);
  const tokenizer = await Tokenizer.fromFolder(TOKENIZER_DIR);
  const dataFile = join(work, 'chat.jsonl');
  await writeChatCorpus(dataFile, workload.examples, 1);
  const loadStart = performance.now();
  const data = await loadSftData(
    {
      train: dataFile,
      template: 'chatml',
      max_length: workload.seq,
      packing: true,
      bucket_lengths: [workload.seq], // one graph: packed rows are padded to max_length
      per_device_train_batch_size: workload.batch,
    },
    { container, tokenizer, tokenizerDir: TOKENIZER_DIR },
  );
  const dataLoadS = (performance.now() - loadStart) / 1000;

  const { model, peft } = buildRandomModel(workload);
  const backend = new TimedBackend(new OnnxBackend({ threads }));
  const args = parseTrainingArguments({
    output_dir: join(work, 'out'),
    max_steps: workload.warmup + workload.steps,
    learning_rate: OPTIMIZER.lr,
    weight_decay: OPTIMIZER.weight_decay,
    max_grad_norm: OPTIMIZER.max_grad_norm,
    logging_steps: 1, // the most the callbacks can do: a progress line and a metrics line per step
    save_strategy: 'no',
  });
  const watches = { backend: backend.runs, data: new Stopwatch(), callbacks: new Stopwatch() };
  const clock = new StepClock(watches);
  const callbacks = builtinCallbacks(args)
    // progress on stderr: stdout carries the result
    .map((c) => (c.id === 'progress_bar' ? new ProgressBarCallback({ stream: process.stderr }) : c))
    .map((c) => timedCallback(c, watches.callbacks));
  const trainStart = performance.now() / 1000;
  const output = await new Trainer({
    backend,
    model,
    peft,
    args,
    trainData: (epoch) => timedPlan(data.train(epoch), watches.data),
    callbacks: [...callbacks, clock],
  })
    .train()
    .finally(() => backend.dispose());
  const trainEnd = performance.now() / 1000;
  return {
    ...summarizeSplits(clock.splits(workload.warmup)),
    /** Reading, rendering and tokenising the records. */
    data_load_s: dataLoadS,
    examples: data.stats.examples,
    batches_per_epoch: data.train(0).length,
    /** Trace, autodiff, lowering, session creation and the first run. */
    first_step_s: clock.firstStepEnd - trainStart,
    /** After the last step: weights back to the host, the summary log, report.html. */
    finish_s: trainEnd - clock.lastStepEnd,
    compiled_graphs: output.compiledGraphs,
    final_loss: output.logHistory.filter((h) => 'loss' in h).at(-1)?.loss ?? Number.NaN,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
}

/** `plan` with the time of building each batch's tensors added to `watch`. */
function timedPlan(plan: BatchPlan, watch: Stopwatch): BatchPlan {
  const batch = (index: number) => watch.time(() => plan.batch(index));
  return {
    length: plan.length,
    batch,
    *[Symbol.iterator]() {
      for (let i = 0; i < plan.length; i++) yield batch(i);
    },
  };
}
