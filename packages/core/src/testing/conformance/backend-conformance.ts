import { describe, expect, it } from 'vitest';
import { grad } from '../../autodiff/index.js';
import type { Backend } from '../../backend/backend.js';
import { ReferenceBackend } from '../../backend/reference/index.js';
import { GraphBuilder } from '../../graph/builder.js';
import { isFloat } from '../../graph/dtype.js';
import type { Graph } from '../../graph/node.js';
import type { HostTensor } from '../../tensor/index.js';
import { seededRandom } from '../../tensor/index.js';
import { adamw, buildTrainStep, TrainStepRunner } from '../../train/index.js';
import {
  initTinyTransformer,
  TINY_TRANSFORMER,
  traceTinyTransformer,
} from '../tiny-transformer.js';
import { runCausalLmGrads } from './checkpointed-grads.js';
import { fillInput } from './fill.js';
import { accumulatedTinySteps, type TinyStepsResult } from './flat-chunk-steps.js';
import { OP_CASES, type OpCase } from './op-cases.js';
import { F32_TOLERANCE, firstMismatch, type Tolerance } from './tolerances.js';

export interface ConformanceOptions {
  /** Per-element tolerance against the f64 reference; default F32_TOLERANCE. */
  readonly tolerance?: Tolerance;
  /** Training steps of the tiny transformer to compare; default 5. */
  readonly trainingSteps?: number;
}

/** A case as one graph: its output and, for float inputs, the gradients of sum(y * w). */
function caseGraph(c: OpCase, seed: number): { graph: Graph; feeds: Record<string, HostTensor> } {
  const random = seededRandom(seed);
  const b = new GraphBuilder();
  const feeds: Record<string, HostTensor> = {};
  const xs = c.inputs.map((input, i) => {
    feeds[`x${i}`] = fillInput(input, random);
    return b.input(`x${i}`, input.shape, input.dtype ?? 'f32');
  });
  const y = c.build(...xs);
  const outputs: Record<string, typeof y> = { y };
  if (isFloat(y.dtype)) {
    feeds.w = fillInput({ shape: y.shape }, random);
    const grads = grad(y.mul(b.input('w', y.shape, y.dtype)).sum(), xs);
    grads.forEach((g, i) => {
      if (g) outputs[`grad_x${i}`] = g;
    });
  }
  return { graph: b.build(outputs), feeds };
}

/**
 * Runs one case on a fresh candidate backend and on the f64 reference; the first disagreement
 * (output name, element, values), or null.
 */
export async function compareOnCase(
  createBackend: () => Backend | Promise<Backend>,
  c: OpCase,
  seed: number,
  tol: Tolerance,
): Promise<string | null> {
  const { graph, feeds } = caseGraph(c, seed);
  const want = await new ReferenceBackend({ precision: 'f64' }).compile(graph).run(feeds);
  const backend = await createBackend();
  try {
    const got = await backend.compile(graph).run(feeds);
    for (const out of Object.keys(want)) {
      if (!got[out]) return `${out}: missing`;
      if (got[out].shape.join() !== want[out].shape.join())
        return `${out}: shape [${got[out].shape}] vs [${want[out].shape}]`;
      const mismatch = firstMismatch(got[out].toFloat64(), want[out].toFloat64(), tol);
      if (mismatch) return `${out}: ${mismatch}`;
    }
    return null;
  } finally {
    await backend.dispose();
  }
}

/**
 * The backend conformance suite: every op's forward value and input gradients on several shapes,
 * then training steps of a tiny transformer, each compared with the reference backend in f64.
 * A backend package calls this from one of its test files.
 */
export function describeBackendConformance(
  name: string,
  createBackend: () => Backend | Promise<Backend>,
  opts: ConformanceOptions = {},
): void {
  const tol = opts.tolerance ?? F32_TOLERANCE;
  describe(`${name}: backend conformance`, () => {
    for (const [op, cases] of Object.entries(OP_CASES)) {
      for (const [k, c] of cases.entries()) {
        it(`${op} ${c.name}: forward and gradients`, async () => {
          expect(await compareOnCase(createBackend, c, 1000 + k, tol)).toBeNull();
        });
      }
    }

    it('gradient checkpointing: the same loss and gradients as without (rel 1e-6)', async () => {
      const backend = await createBackend();
      try {
        const plain = await runCausalLmGrads(backend, false);
        const recomputed = await runCausalLmGrads(backend, true);
        expect(Object.keys(recomputed).sort()).toEqual(Object.keys(plain).sort());
        for (const [name, want] of Object.entries(plain)) {
          const got = recomputed[name].toFloat64();
          expect(firstMismatch(got, want.toFloat64(), { atol: 1e-9, rtol: 1e-6 }), name).toBeNull();
        }
      } finally {
        await backend.dispose();
      }
    });

    it('tiny transformer: AdamW training steps with clipping match the reference', async () => {
      const steps = opts.trainingSteps ?? 5;
      const run = async (backend: Backend) => {
        const b = new GraphBuilder();
        const { loss } = traceTinyTransformer(b, TINY_TRANSFORMER);
        const step = buildTrainStep(loss, {
          optimizer: adamw(),
          groups: [{ lr: 1e-2, weight_decay: 0.01 }],
          maxGradNorm: 1,
        });
        const runner = TrainStepRunner.create(
          backend,
          step,
          initTinyTransformer(TINY_TRANSFORMER, 3),
        );
        const random = seededRandom(5);
        const shape = [TINY_TRANSFORMER.batch, TINY_TRANSFORMER.seq];
        const losses: number[] = [];
        for (let s = 0; s < steps; s++) {
          const batch = {
            input_ids: fillInput(
              { shape, dtype: 'i32', fill: { ints: [0, TINY_TRANSFORMER.vocab] } },
              random,
            ),
            labels: fillInput(
              { shape, dtype: 'i32', fill: { ints: [0, TINY_TRANSFORMER.vocab] } },
              random,
            ),
          };
          losses.push((await runner.run(batch)).loss);
        }
        const params = await runner.params();
        await backend.dispose();
        return { losses, params };
      };
      const want = await run(new ReferenceBackend({ precision: 'f64' }));
      const got = await run(await createBackend());
      expect(firstMismatch(got.losses, want.losses, tol)).toBeNull();
      for (const [param, value] of Object.entries(want.params)) {
        expect(
          firstMismatch(got.params[param].toFloat64(), value.toFloat64(), tol),
          param,
        ).toBeNull();
      }
    });

    it('flat optimizer chunks: the same steps as one chunk per tensor (groups, clipping, accumulation)', async () => {
      const perTensor = await accumulatedTinySteps(await createBackend(), 1);
      // one chunk per group, and chunks of at most 600 elements (the tensors split among several)
      for (const flatChunkElements of [undefined, 600]) {
        const flat = await accumulatedTinySteps(await createBackend(), flatChunkElements);
        expectSameSteps(flat, perTensor);
      }
    });
  });
}

/** Two runs of one training, in different flat layouts: equal up to f32 summation order. */
function expectSameSteps(got: TinyStepsResult, want: TinyStepsResult): void {
  const tol = { atol: 1e-6, rtol: 1e-6 };
  expect(firstMismatch(got.losses, want.losses, tol)).toBeNull();
  expect(firstMismatch(got.gradNorms, want.gradNorms, tol)).toBeNull();
  for (const part of ['params', 'state'] as const) {
    expect(Object.keys(got[part]).sort()).toEqual(Object.keys(want[part]).sort());
    for (const [name, value] of Object.entries(want[part])) {
      const mismatch = firstMismatch(got[part][name].toFloat64(), value.toFloat64(), tol);
      expect(mismatch, name).toBeNull();
    }
  }
}
