import {
  adamw,
  buildTrainStep,
  GraphBuilder,
  HostTensor,
  ReferenceBackend,
  TrainStepRunner,
} from '@tunekit/core';
import {
  initTinyTransformer,
  type TinyTransformerConfig,
  traceTinyTransformer,
} from '@tunekit/core/testing';

export interface MemoriseOptions {
  readonly steps?: number;
  readonly lr?: number;
  readonly maxGradNorm?: number;
  readonly onStep?: (step: number, loss: number, gradNorm: number) => void;
}

export interface MemoriseResult {
  readonly losses: number[];
  /** Steps whose gradient norm exceeded maxGradNorm, i.e. were clipped. */
  readonly clippedSteps: number;
  /** Greedy decoding from the first character with the trained weights. */
  readonly generated: string;
}

/**
 * Trains a 2-layer Llama-shaped transformer from scratch to reproduce `text` character by
 * character: one AdamW step with gradient clipping per run, on the reference backend.
 */
export async function memorise(text: string, opts: MemoriseOptions = {}): Promise<MemoriseResult> {
  const steps = opts.steps ?? 150;
  const maxGradNorm = opts.maxGradNorm ?? 1;
  const chars = [...new Set(text)].sort();
  const ids = [...text].map((ch) => chars.indexOf(ch));
  const config: TinyTransformerConfig = {
    vocab: chars.length,
    hidden: 32,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    intermediate: 64,
    batch: 1,
    seq: ids.length - 1,
  };
  const tokens = (xs: number[]) => HostTensor.from('i32', [1, config.seq], xs);
  const batch = { input_ids: tokens(ids.slice(0, -1)), labels: tokens(ids.slice(1)) };

  const backend = new ReferenceBackend();
  const train = buildTrainStep(traceTinyTransformer(new GraphBuilder(), config).loss, {
    optimizer: adamw(),
    groups: [{ lr: opts.lr ?? 1e-2, weight_decay: 0.01 }],
    maxGradNorm,
  });
  const runner = TrainStepRunner.create(backend, train, initTinyTransformer(config, 0));
  const losses: number[] = [];
  let clippedSteps = 0;
  for (let step = 1; step <= steps; step++) {
    const { loss, gradNorm } = await runner.run(batch);
    losses.push(loss);
    if (gradNorm > maxGradNorm) clippedSteps++;
    opts.onStep?.(step, loss, gradNorm);
  }

  // greedy decoding: causal attention means padding after position t cannot change its logits
  const b = new GraphBuilder();
  const { logits } = traceTinyTransformer(b, config);
  const forward = backend.compile(b.build({ logits: logits.argmax(-1) }));
  const weights = await runner.params();
  const out = [ids[0]];
  for (let t = 0; t < config.seq; t++) {
    const padded = [...out, ...new Array(config.seq - out.length).fill(0)];
    const next = await forward.run({
      ...weights,
      input_ids: tokens(padded),
      labels: tokens(padded),
    });
    out.push(next.logits.toArray()[t]);
  }
  await backend.dispose();
  return { losses, clippedSteps, generated: out.map((i) => chars[i]).join('') };
}
